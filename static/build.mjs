// Bundle the browser code: static/src/main.js -> static/dist/stepflow.js + stepflow.css,
// plus ELK's worker script.
// `node static/build.mjs` builds minified once; `--watch` rebuilds on change, unminified.
import { copyFile, mkdir } from 'node:fs/promises';

import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');

const options = {
  entryPoints: { stepflow: 'static/src/main.js' },
  outdir: 'static/dist',
  bundle: true,
  format: 'iife',
  globalName: 'stepflow',
  target: ['es2022'],
  minify: !watch,
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'info',
  // The bundle must work offline: nothing may be left to load from elsewhere.
  external: [],
};

// ELK lays out in a Web Worker: its script sits next to the bundle (see src/graph/elk.js).
await mkdir('static/dist', { recursive: true });
await copyFile('node_modules/elkjs/lib/elk-worker.min.js', 'static/dist/elk-worker.min.js');

if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  await esbuild.build(options);
}
