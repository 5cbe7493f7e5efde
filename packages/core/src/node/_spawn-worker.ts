import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Starts one of the package's worker scripts (`_encoder-worker`, `_decoder-worker`). From the
 * built package the worker is the sibling JavaScript file. From source (tests run with the
 * `@kluis/source` condition) it is TypeScript, loaded through tsx's API in the worker.
 */
export function spawnWorker(name: '_encoder-worker' | '_decoder-worker', workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(builtWorkerUrl(name, import.meta.url), { workerData });
  const tsx = createRequire(import.meta.url)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs');
  const entry = new URL(`./${name}.ts`, import.meta.url).href;
  const code = `import(${JSON.stringify(pathToFileURL(tsx).href)}).then((m) => m.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}));`;
  return new Worker(code, { eval: true, workerData });
}

/**
 * Where a built worker script is: the worker scripts are entries of their own in `dist/node/`,
 * while this module is bundled either into `dist/node/` or into a chunk shared by every entry
 * point at `dist/`. Internal; exported for the test of both placements.
 */
export function builtWorkerUrl(name: string, from: string): URL {
  const here = new URL('.', from);
  return here.pathname.endsWith('/node/')
    ? new URL(`./${name}.js`, here)
    : new URL(`./node/${name}.js`, here);
}
