import { execFileSync, spawnSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { EmbeddedPostgresError } from './embedded-postgres-error.ts';

/** The OS account PostgreSQL runs as when we are root (it refuses to run as root). */
export interface OsUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

const NAME = 'postgres';

function lookUp(): OsUser | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', NAME], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', NAME], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { name: NAME, uid, gid };
  } catch {
    return undefined;
  }
}

/**
 * Undefined when we are not root (the server then runs as us). As root: the `postgres` account,
 * created (a system account without a home) when the machine has none, as CI containers often don't.
 */
export function postgresOsUser(): OsUser | undefined {
  if (userInfo().uid !== 0) return undefined;
  const existing = lookUp();
  if (existing) return existing;
  try {
    execFileSync('groupadd', ['--system', NAME], { stdio: 'ignore' });
    execFileSync('useradd', ['--system', '--gid', NAME, '--no-create-home', '--shell', '/usr/sbin/nologin', NAME], { stdio: 'ignore' });
  } catch (error) {
    throw new EmbeddedPostgresError(
      'PG_OS_USER',
      `as root, the embedded PostgreSQL runs as the OS user "${NAME}", which does not exist and could not be created (groupadd/useradd failed); create it, or run as a normal user`,
      { cause: error },
    );
  }
  const created = lookUp();
  if (!created) throw new EmbeddedPostgresError('PG_OS_USER', `the OS user "${NAME}" was created but cannot be looked up (id -u ${NAME} fails)`);
  return created;
}

/**
 * Whether `user` can reach `target` with the access `test` checks (`-x` search/execute, `-w` write),
 * asked of the kernel as that user, so every parent folder, ACL and mount option counts.
 */
export function canAccess(user: OsUser, target: string, ...checks: readonly ('-x' | '-w' | '-r')[]): boolean {
  const args = checks.flatMap((check, index) => (index === 0 ? [check, target] : ['-a', check, target]));
  return spawnSync('test', args, { uid: user.uid, gid: user.gid, stdio: 'ignore' }).status === 0;
}
