/**
 * ELK runs in a Web Worker (elkjs's own elk-worker.min.js, copied next to the bundle by
 * the build): laying out a big machine then never freezes the page, the worker compiles
 * ELK while the page does other work, and the bundle itself stays small.
 *
 * The worker is found next to the script that loaded the bundle
 * (`…/static/dist/elk-worker.min.js`); a page that serves it elsewhere calls
 * `configureLayout({workerUrl})` before mounting anything.
 */

import ELK from 'elkjs/lib/elk-api.js';

const WORKER = 'elk-worker.min.js';

// Read while the bundle runs: document.currentScript is only set during that.
const scriptUrl = typeof document !== 'undefined' ? document.currentScript?.src : undefined;

let workerUrl = scriptUrl ? new URL(WORKER, scriptUrl).href : `/static/dist/${WORKER}`;
let instance = null;
let broken = null;
let answered = false;

export function configureLayout({ workerUrl: url } = {}) {
  if (url) workerUrl = url;
}

/**
 * The shared ELK; the worker starts on the first call. A page that knows it will show a
 * graph can call this early (as `stepflow.preloadLayout()`): the worker needs a few hundred
 * milliseconds to load and compile ELK, which then overlap with the page's own work. Not
 * with a long task that makes the call, though: Chromium fetches the script at once but
 * starts the worker only when the page's thread next gets back to its event loop.
 */
export function sharedElk() {
  if (!instance) {
    instance = new ELK({
      // Only what we use: elkjs registers all nine algorithms' options by default.
      algorithms: ['layered'],
      workerFactory: () => {
        const worker = new Worker(workerUrl);
        worker.addEventListener('error', (event) => {
          broken = new Error(`The layout worker (${workerUrl}) failed: ${event.message || 'it could not be loaded'}`);
          for (const reject of waiting) reject(broken);
          waiting.clear();
        });
        return worker;
      },
    });
  }
  return instance;
}

const waiting = new Set();

/** `elk.layout(graph)`, failing instead of waiting forever when the worker is broken. */
export function layoutWith(elk, graph) {
  if (elk !== instance) return elk.layout(graph);
  if (broken) return Promise.reject(broken);
  return new Promise((resolve, reject) => {
    waiting.add(reject);
    const done = (placement) => {
      answered = true;
      resolve(placement);
    };
    elk.layout(graph).then(done, reject).finally(() => waiting.delete(reject));
  });
}

/** True once the shared worker has answered a layout: it is running, ELK compiled. */
export function layoutWorkerReady() {
  return answered;
}
