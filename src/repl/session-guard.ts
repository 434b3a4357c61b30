/**
 * Keeps console code from stopping the worker. Each session's evaluations run in an async context
 * of their own; while a REPL server is up, the process's exit, reallyExit, abort, kill and _kill
 * are wrapped so that a call made from a session's context (however it reached the function:
 * `process`, `require('node:process')`, `import('node:process')`, a timer the session set) ends
 * that session instead. Calls from anywhere else behave exactly as before.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { syncBuiltinESMExports } from 'node:module';

/** The console session whose code is running. */
export interface GuardedSession {
  /** Ends the session instead of the call; `call` names what was called, e.g. `process.exit()`. */
  end(call: string): void;
}

const current = new AsyncLocalStorage<GuardedSession>();

/** Runs `fn`, and everything it schedules, as code of `session`. */
export function runInSession<T>(session: GuardedSession, fn: () => T): T {
  return current.run(session, fn);
}

const GUARDED = ['exit', 'reallyExit', 'abort', 'kill', '_kill'] as const;
type Guarded = (typeof GUARDED)[number];
type ProcessFunction = (this: unknown, ...args: unknown[]) => unknown;
const processFunctions = process as unknown as Record<Guarded, ProcessFunction>;

/**
 * Whether a kill(pid, signal) would signal the worker: its own pid, 0 (its process group), or a
 * negative pid (a process group, maybe its own; -1 is every process it may signal). Signal 0 only
 * probes, so it passes.
 */
function signalsWorker(pid: unknown, signal: unknown): boolean {
  if (signal === 0) return false;
  const target = Number(pid);
  return target === process.pid || target <= 0;
}

function wrap(name: Guarded, original: ProcessFunction): ProcessFunction {
  const ended = (session: GuardedSession, call: string, result: unknown) => {
    session.end(call);
    return result;
  };
  const wrappers: Record<Guarded, ProcessFunction> = {
    exit(...args) {
      const session = current.getStore();
      return session ? ended(session, 'process.exit()', undefined) : Reflect.apply(original, this, args);
    },
    reallyExit(...args) {
      const session = current.getStore();
      return session ? ended(session, 'process.reallyExit()', undefined) : Reflect.apply(original, this, args);
    },
    abort(...args) {
      const session = current.getStore();
      return session ? ended(session, 'process.abort()', undefined) : Reflect.apply(original, this, args);
    },
    kill(...args) {
      const session = current.getStore();
      return session && signalsWorker(args[0], args[1]) ? ended(session, 'process.kill() of the worker', true) : Reflect.apply(original, this, args);
    },
    // What process.kill calls; reachable on its own as process._kill(pid, signalNumber). 0: no error.
    _kill(...args) {
      const session = current.getStore();
      return session && signalsWorker(args[0], args[1]) ? ended(session, 'process._kill() of the worker', 0) : Reflect.apply(original, this, args);
    },
  };
  return wrappers[name];
}

let installed: { readonly originals: Record<Guarded, ProcessFunction>; readonly wrappers: Record<Guarded, ProcessFunction> } | undefined;
let holders = 0;

/**
 * Wraps the process's exit functions while at least one holder keeps the guard; the returned
 * release (idempotent) puts the originals back once the last holder lets go, unless something
 * else has replaced a wrapper since.
 */
export function holdExitGuard(): () => void {
  holders += 1;
  if (!installed) {
    const originals = {} as Record<Guarded, ProcessFunction>;
    const wrappers = {} as Record<Guarded, ProcessFunction>;
    for (const name of GUARDED) {
      originals[name] = processFunctions[name];
      wrappers[name] = wrap(name, originals[name]);
      processFunctions[name] = wrappers[name];
    }
    installed = { originals, wrappers };
    // `import('node:process')` hands out named exports copied at load: point them at the wrappers.
    syncBuiltinESMExports();
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    holders -= 1;
    if (holders > 0 || !installed) return;
    for (const name of GUARDED) {
      if (processFunctions[name] === installed.wrappers[name]) processFunctions[name] = installed.originals[name];
    }
    installed = undefined;
    syncBuiltinESMExports();
  };
}
