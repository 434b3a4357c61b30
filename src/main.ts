/**
 * Process entry. Turns on Node's compile cache before anything else loads: every start strips and
 * compiles the worker's TypeScript and its dependencies, and cached (under the OS temp folder;
 * NODE_DISABLE_COMPILE_CACHE=1 turns it off) start-up to the first log line fell from about 3.2 s
 * to 2.7 s on the project machine. Static imports would all load before this line ran, hence the
 * dynamic import of the process itself (worker-process.ts).
 */
import { enableCompileCache } from 'node:module';

enableCompileCache();
await import('./worker-process.ts');
