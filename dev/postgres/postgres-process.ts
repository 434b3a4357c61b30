import { spawn, type ChildProcess } from 'node:child_process';
import { chown, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { EmbeddedPostgresError } from './embedded-postgres-error.ts';
import type { PostgresBinaries } from './postgres-binaries.ts';
import type { OsUser } from './postgres-os-user.ts';

/** English server messages whatever the machine's locale: readiness and failures are read from them. */
const MESSAGES_LOCALE = 'C';

function spawnOptions(user: OsUser | undefined) {
  return {
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
    env: { ...process.env, LC_MESSAGES: MESSAGES_LOCALE },
    stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'],
  };
}

/** The last FATAL/ERROR line of a server's output, else its last line: the part worth showing. */
function gist(output: string): string {
  const lines = output.split('\n').map((line) => line.trim()).filter(Boolean);
  const fatal = lines.filter((line) => /\b(FATAL|ERROR|PANIC)\b|initdb: error/.test(line)).at(-1);
  return (fatal ?? lines.at(-1) ?? '(no output)').replace(/^.*?\b(FATAL|ERROR|PANIC):\s*/, '');
}

/** Runs initdb on an empty (or absent) folder: superuser `user`/`password`, password auth, UTF-8. */
export async function initialiseCluster(binaries: PostgresBinaries, dataDir: string, account: { user: string; password: string }, osUser: OsUser | undefined, onLog: (line: string) => void): Promise<void> {
  // initdb reads the password from a file; it sits beside the data folder, where the OS user can read it.
  const pwfile = path.join(path.dirname(dataDir), `.pwfile-${randomBytes(6).toString('hex')}`);
  await writeFile(pwfile, `${account.password}\n`, { mode: 0o600 });
  if (osUser) await chown(pwfile, osUser.uid, osUser.gid);
  try {
    const args = [`--pgdata=${dataDir}`, '--auth=password', `--username=${account.user}`, `--pwfile=${pwfile}`, `--lc-messages=${MESSAGES_LOCALE}`, '--encoding=UTF8', '--no-sync'];
    const child = spawn(binaries.initdb, args, spawnOptions(osUser));
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      onLog(chunk.toString());
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    }).catch((error: unknown) => {
      throw new EmbeddedPostgresError('PG_INITDB_FAILED', `could not run ${binaries.initdb}: ${(error as Error).message}`, { cause: error });
    });
    if (code !== 0) throw new EmbeddedPostgresError('PG_INITDB_FAILED', `initdb could not create a cluster in ${dataDir}: ${gist(output)}`);
  } finally {
    await rm(pwfile, { force: true });
  }
}

/** A running server; `stop` is a fast shutdown (SIGINT): open connections are cut, data is kept. */
export interface ServerProcess {
  stop(): Promise<void>;
}

/** Turns the output of a server that exited before it was ready into the one-line reason. */
export function startFailure(output: string, port: number, dataDir: string): EmbeddedPostgresError {
  if (/could not bind .*Address already in use|could not create any TCP\/IP sockets/s.test(output)) {
    return new EmbeddedPostgresError('PG_PORT_IN_USE', `embedded PostgreSQL cannot start: port ${port} on 127.0.0.1 is already in use by another program`);
  }
  const lock = /lock file "postmaster\.pid" already exists[\s\S]*?\(PID (\d+)\)/.exec(output);
  if (lock || /lock file "postmaster\.pid" already exists/.test(output)) {
    const pid = lock?.[1] ? ` (PID ${lock[1]})` : '';
    return new EmbeddedPostgresError('PG_DATA_DIR_IN_USE', `embedded PostgreSQL cannot start: another PostgreSQL server${pid} is using the data folder ${dataDir}`);
  }
  return new EmbeddedPostgresError('PG_START_FAILED', `embedded PostgreSQL did not start on port ${port} (data in ${dataDir}): ${gist(output)}`);
}

/** Every server this process started and has not stopped: stopped if the process exits first. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGINT');
});

/** Starts `postgres` on 127.0.0.1:port and resolves once it accepts connections. */
export async function startServer(
  binaries: PostgresBinaries,
  dataDir: { readonly real: string; readonly shown: string },
  port: number,
  flags: readonly string[],
  osUser: OsUser | undefined,
  onLog: (line: string) => void,
): Promise<ServerProcess> {
  const child = spawn(binaries.postgres, ['-D', dataDir.real, '-p', String(port), ...flags], spawnOptions(osUser));
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => onLog(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let ready = false;
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      onLog(text);
      if (ready) return;
      output += text;
      if (output.includes('database system is ready to accept connections')) {
        ready = true;
        resolve();
      }
    });
    child.once('error', (error) => reject(new EmbeddedPostgresError('PG_START_FAILED', `could not run ${binaries.postgres}: ${error.message}`, { cause: error })));
    void exited.then(() => reject(startFailure(output, port, dataDir.shown)));
  });
  running.add(child);
  return {
    stop: async () => {
      if (!running.delete(child)) return;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
    },
  };
}
