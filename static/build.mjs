// Bundle the browser code: static/src/main.js -> static/dist/stepflow.js + stepflow.css.
// `node static/build.mjs` builds minified once; `--watch` rebuilds on change, unminified.
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

if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  await esbuild.build(options);
}
