/**
 * The remote REPL: a Unix socket (0600, in a 0700 folder; never TCP) on which each connection gets
 * its own REPL session inside the running worker. `npm run console` attaches to it.
 */
import { chmod, lstat, mkdir, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import repl from 'node:repl';
import type { Logger } from 'pino';
import type { RunningWorker } from '../worker.ts';
import { fillReplContext } from './repl-context.ts';
import { holdExitGuard, runInSession, type GuardedSession } from './session-guard.ts';
import { parseHello, type ConsoleHello } from './console-hello.ts';

export interface ReplServerOptions {
  /** Where the socket goes; its folder is created 0700 when missing. */
  readonly socketPath: string;
  readonly log: Logger;
  /** History file, 0600. Default: `repl_history` beside the socket. */
  readonly historyPath?: string;
  /** How long a new connection may take to say hello before it gets a terminal session. Default: 300. */
  readonly helloTimeoutMs?: number;
  /** How long close() waits for sessions to end before cutting them. Default: 2000. */
  readonly closeTimeoutMs?: number;
}

export interface RunningReplServer {
  /** Absolute path of the socket. */
  readonly socketPath: string;
  /** Open sessions. */
  sessionCount(): number;
  /** Says goodbye to every session, ends them, stops listening and removes the socket file. */
  close(): Promise<void>;
}

/** Another live process answers on the socket path: two workers must not share one. */
export class ReplSocketInUseError extends Error {
  override name = 'ReplSocketInUseError';
}

const PROMPT = 'trademachine> ';

/** Connects once: true when something is listening on the path. */
function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/** Makes the folder (0700) and clears a stale socket; refuses a live one or a non-socket file. */
async function prepareSocketPath(socketPath: string, log: Logger): Promise<void> {
  const dir = path.dirname(socketPath);
  const created = await mkdir(dir, { recursive: true, mode: 0o700 });
  if (created) {
    await chmod(dir, 0o700); // mkdir's mode is filtered by the umask
  } else if (((await stat(dir)).mode & 0o077) !== 0) {
    log.warn({ dir }, 'the REPL socket folder is open to other users; the socket itself is 0600');
  }
  const existing = await lstat(socketPath).catch(() => undefined);
  if (!existing) return;
  if (!existing.isSocket()) throw new ReplSocketInUseError(`${socketPath} exists and is not a socket; not replacing it`);
  if (await answers(socketPath)) throw new ReplSocketInUseError(`another process is already serving a REPL at ${socketPath}`);
  await rm(socketPath, { force: true });
  log.info({ socketPath }, 'removed a stale REPL socket');
}

/** Waits for the console's hello line; a client that sends none (socat) gets a terminal session. */
function readHello(socket: net.Socket, timeoutMs: number): Promise<ConsoleHello> {
  return new Promise((resolve) => {
    let buffered = Buffer.alloc(0);
    const finish = (hello: ConsoleHello, rest: Buffer) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.pause();
      if (rest.length > 0) socket.unshift(rest);
      resolve(hello);
    };
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered[0] !== 0) return finish({ terminal: true }, buffered);
      const newline = buffered.indexOf(0x0a);
      if (newline < 0) {
        if (buffered.length >= 4096) finish({ terminal: true }, buffered);
        return;
      }
      const hello = parseHello(buffered.subarray(0, newline).toString('utf8'));
      finish(hello ?? { terminal: true }, hello ? buffered.subarray(newline + 1) : buffered);
    };
    const timer = setTimeout(() => finish({ terminal: true }, buffered), timeoutMs);
    socket.on('data', onData);
  });
}

/**
 * Listens on the socket and serves a REPL per connection. Rejects when the path is held by a
 * live process (ReplSocketInUseError); the worker can run on without its console.
 */
export async function startReplServer(worker: RunningWorker, options: ReplServerOptions): Promise<RunningReplServer> {
  const socketPath = path.resolve(options.socketPath);
  const log = options.log.child({ component: 'repl' });
  // Pinned at info: the audit trail stays on whatever level an operator sets from the console.
  const audit = options.log.child({ component: 'repl' }, { level: 'info' });
  const historyPath = options.historyPath ?? path.join(path.dirname(socketPath), 'repl_history');
  const helloTimeoutMs = options.helloTimeoutMs ?? 300;
  await prepareSocketPath(socketPath, log);

  const sessions = new Map<string, { socket: net.Socket; server: repl.REPLServer | undefined }>();
  let counter = 0;
  let closing = false;

  const serve = async (socket: net.Socket) => {
    counter += 1;
    const id = `${process.pid}-${counter}`;
    const entry: { socket: net.Socket; server: repl.REPLServer | undefined } = { socket, server: undefined };
    sessions.set(id, entry);
    socket.on('error', (error) => log.debug({ err: error, repl: { session: id } }, 'console connection error'));
    socket.once('close', () => {
      sessions.delete(id);
      entry.server?.close();
      audit.info({ repl: { session: id } }, 'console session closed');
    });
    const hello = await readHello(socket, helloTimeoutMs);
    if (closing || socket.destroyed) return;
    if (hello.columns) Object.assign(socket, { columns: hello.columns });
    audit.info({ repl: { session: id, terminal: hello.terminal } }, 'console session opened');
    socket.write(`TradeMachine worker ${worker.config.deployEnv} (pid ${process.pid}). help() lists the helpers; .exit leaves (the worker keeps running).\n`);

    const server = repl.start({
      input: socket,
      output: socket,
      terminal: hello.terminal,
      useColors: hello.terminal,
      useGlobal: false,
      prompt: PROMPT,
      ignoreUndefined: true,
    });
    entry.server = server;
    // Before evaluation, so the input is on record even if it changes the log level or hangs.
    server.prependListener('line', (input: string) => {
      if (input.trim() !== '') audit.info({ repl: { session: id, input } }, 'repl input');
    });
    const sessionAudit = audit.child({ repl: { session: id } });
    const guarded: GuardedSession = {
      end(call) {
        if (!socket.writable) {
          // A timer or callback the session left behind, after the session ended.
          sessionAudit.warn({ repl: { call } }, 'console code called a process exit after its session ended; ignored');
          return;
        }
        sessionAudit.info({ repl: { call } }, 'console session ended by a call that would stop the worker');
        socket.write(`\n${call} ends this console session; the worker keeps running. Stop the worker with SIGTERM from outside.\n`);
        server.close();
      },
    };
    // Node's own eval (top-level await, completion), run in the session's async context so the
    // exit guard knows whose code is calling.
    const nodeEval = server.eval;
    (server as { eval: repl.REPLEval }).eval = function (this: repl.REPLServer, code, context, file, callback) {
      runInSession(guarded, () => nodeEval.call(this, code, context, file, callback));
    };
    const session = { output: socket, colors: hello.terminal, audit: sessionAudit };
    const fill = () => fillReplContext(server.context, worker, session);
    fill();
    server.on('reset', fill);
    server.once('exit', () => socket.end());
    if (hello.terminal) {
      server.setupHistory(historyPath, (error) => {
        if (error) log.warn({ err: error, historyPath }, 'console history unavailable');
      });
    }
  };

  const netServer = net.createServer((socket) => {
    void serve(socket).catch((error: unknown) => {
      log.error({ err: error }, 'console session failed to start');
      socket.destroy();
    });
  });
  netServer.on('error', (error) => log.error({ err: error }, 'REPL server error'));
  // The socket file takes its mode from the umask at bind time: 0600, owner only.
  const previousUmask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      netServer.once('error', reject);
      netServer.listen(socketPath, () => {
        netServer.off('error', reject);
        resolve();
      });
      process.umask(previousUmask);
    });
  } finally {
    process.umask(previousUmask);
  }
  await chmod(socketPath, 0o600);
  const releaseExitGuard = holdExitGuard();
  log.info({ socketPath }, 'REPL listening (npm run console)');

  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      closing = true;
      const serverClosed = new Promise<void>((resolve) => netServer.close(() => resolve()));
      const ended = [...sessions.values()].map(
        ({ socket, server }) =>
          new Promise<void>((resolve) => {
            if (socket.destroyed) return resolve();
            socket.once('close', () => resolve());
            if (socket.writable) socket.write('\nThe worker is shutting down: closing this console session.\n');
            if (server) server.close();
            else socket.end();
          }),
      );
      const timeoutMs = options.closeTimeoutMs ?? 2000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
      if ((await Promise.race([Promise.all(ended), timedOut])) === 'timeout') {
        for (const { socket } of sessions.values()) socket.destroy();
      }
      clearTimeout(timer);
      await serverClosed;
      releaseExitGuard();
      await rm(socketPath, { force: true });
      log.info({ socketPath }, 'REPL closed');
    })();
    return closed;
  };
  return { socketPath, sessionCount: () => sessions.size, close };
}
