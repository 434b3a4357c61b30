/**
 * Process entry. Turns on Node's compile cache before anything else loads: every start strips and
 * compiles the worker's TypeScript and its dependencies, and with the cache (under the OS temp
 * folder; NODE_DISABLE_COMPILE_CACHE=1 turns it off) every start after the first skips that work.
 * Static imports would all load before this line ran, hence the dynamic import of the process
 * itself (worker-process.ts).
 */
import { enableCompileCache } from 'node:module';

enableCompileCache();
await import('./worker-process.ts');
