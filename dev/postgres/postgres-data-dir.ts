import { createHash } from 'node:crypto';
import { access, chmod, chown, lstat, mkdir, readdir, readlink, rm, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import { EmbeddedPostgresError } from './embedded-postgres-error.ts';
import { canAccess, type OsUser } from './postgres-os-user.ts';

/**
 * Where clusters live whose folder the `postgres` user cannot reach (a clone under /root): the
 * data stays here, and the requested folder becomes a symlink to it, so `.data/postgres` still
 * names the cluster and deleting it still starts afresh.
 */
export const DEFAULT_RELOCATED_DATA = '/var/lib/trademachine-embedded-postgres';

/** The cluster's folder as asked for, and the real folder the server is given. */
export interface DataDir {
  readonly requested: string;
  readonly real: string;
  /** Whether `real` already holds a cluster (PG_VERSION). */
  readonly initialised: boolean;
  /** Deletes the cluster's files (non-persistent clusters). */
  remove(): Promise<void>;
}

const exists = (file: string) => access(file).then(() => true, () => false);
const isSymlink = (file: string) => lstat(file).then((stats) => stats.isSymbolicLink(), () => false);

async function ownedBy(dir: string, user: OsUser | undefined): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (user) await chown(dir, user.uid, user.gid);
}

/**
 * Makes `requested` usable by the server's OS user. Not root: the folder as is. Root: the parent
 * gets search permission for others if it lacks it (mkdtemp makes 0700 folders); if the path is
 * still out of the user's reach, the cluster moves under `relocatedRoot` behind a symlink.
 */
export async function prepareDataDir(requested: string, user: OsUser | undefined, relocatedRoot: string = DEFAULT_RELOCATED_DATA): Promise<DataDir> {
  const parent = path.dirname(requested);
  await mkdir(parent, { recursive: true });
  let real = requested;
  if (user) {
    const parentStats = await stat(parent);
    if (parentStats.uid === 0 && (parentStats.mode & 0o001) === 0) await chmod(parent, (parentStats.mode & 0o7777) | 0o001);
    if (await isSymlink(requested)) real = path.resolve(parent, await readlink(requested));
    else if (!canAccess(user, parent, '-x')) real = await relocate(requested, relocatedRoot);
    await ownedBy(real, user);
    if (!canAccess(user, real, '-x', '-w')) {
      throw new EmbeddedPostgresError(
        'PG_DATA_DIR_UNREACHABLE',
        `the OS user "${user.name}" the server runs as cannot reach the data folder ${real}; give it search permission on every parent folder`,
      );
    }
  }
  const initialised = await exists(path.join(real, 'PG_VERSION'));
  return {
    requested,
    real,
    initialised,
    remove: async () => {
      await rm(real, { recursive: true, force: true });
      if (real !== requested) await rm(requested, { force: true });
    },
  };
}

/** Creates `relocatedRoot/<hash of the requested path>/data` afresh and points `requested` at it. */
async function relocate(requested: string, relocatedRoot: string): Promise<string> {
  const inPlace = await readdir(requested).then(
    (names) => names,
    () => undefined,
  );
  if (inPlace && inPlace.length > 0) {
    throw new EmbeddedPostgresError(
      'PG_DATA_DIR_UNREACHABLE',
      `the data folder ${requested} is out of reach of the OS user "postgres" the server runs as (a parent folder is private); delete it to start afresh, or clone somewhere others can enter`,
    );
  }
  if (inPlace) await rm(requested, { recursive: true });
  const home = path.join(relocatedRoot, createHash('sha256').update(requested).digest('hex').slice(0, 16));
  // The requested folder is gone, so any cluster left here belongs to a folder someone deleted.
  await rm(home, { recursive: true, force: true });
  await mkdir(home, { recursive: true, mode: 0o755 });
  await chmod(relocatedRoot, 0o755);
  const real = path.join(home, 'data');
  await symlink(real, requested);
  return real;
}
