import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full GC, so "heap used" shows what is retained rather than what happens not to be collected
 * yet. `npm run bench` passes --expose-gc; under `node --test` the flag is switched on at run time.
 */
function fullGc(): () => void {
  if (typeof globalThis.gc === 'function') return globalThis.gc;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const gc = fullGc();

/** Heap used in MiB after a full GC. */
export function heapUsedMb(): number {
  gc();
  return process.memoryUsage().heapUsed / (1024 * 1024);
}
