import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readlink, rm, stat, symlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { EmbeddedPostgresError, startEmbeddedPostgres, type RunningPostgres } from '../../scripts/lib/embedded-postgres.ts';
import { binariesFor, packagedBinaries } from '../../dev/postgres/postgres-binaries.ts';
import { canAccess, postgresOsUser } from '../../dev/postgres/postgres-os-user.ts';
import { findFreePort } from '../support/free-port.ts';
import { runNodeScript } from '../support/spawn-node.ts';
import { withPgClient } from '../../scripts/lib/pg-client.ts';

const asRoot = userInfo().uid === 0;

let dir: string;
let busy: Server;
let busyPort: number;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tm-embedded-pg-test-'));
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as { port: number }).port;
});
after(async () => {
  await new Promise((resolve) => busy.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

/** One line, no stack frames: what a developer sees for a condition we expect. */
function assertOneLine(text: string): void {
  assert.equal(text.trimEnd().split('\n').length, 1, `expected one line, got:\n${text}`);
  assert.doesNotMatch(text, /^\s+at /m);
}

async function selectOne(cluster: RunningPostgres): Promise<number> {
  return withPgClient(cluster.adminUrl, async (client) => (await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one ?? 0);
}

describe('embedded PostgreSQL: expected failures are one clear line', () => {
  it('a port already in use', async () => {
    await assert.rejects(startEmbeddedPostgres({ dataDir: path.join(dir, 'port'), port: busyPort, persistent: false }), (error: unknown) => {
      assert.ok(error instanceof EmbeddedPostgresError);
      assert.equal(error.code, 'PG_PORT_IN_USE');
      assert.equal(error.message, `embedded PostgreSQL cannot start: port ${busyPort} on 127.0.0.1 is already in use by another program`);
      return true;
    });
  });

  it('a data folder another server is using', async () => {
    const dataDir = path.join(dir, 'shared');
    const first = await startEmbeddedPostgres({ dataDir, port: await findFreePort(), persistent: true });
    try {
      await assert.rejects(startEmbeddedPostgres({ dataDir, port: await findFreePort(), persistent: true }), (error: unknown) => {
        assert.ok(error instanceof EmbeddedPostgresError);
        assert.equal(error.code, 'PG_DATA_DIR_IN_USE');
        assert.match(error.message, /^embedded PostgreSQL cannot start: another PostgreSQL server \(PID \d+\) is using the data folder /);
        assertOneLine(error.message);
        return true;
      });
      assert.equal(await selectOne(first), 1);
    } finally {
      await first.stop();
    }
  });

  it('start-dev: dev-postgres and dev:start print that line (with what to do) and exit 1, no stack trace', async () => {
    const env = { DEV_POSTGRES_PORT: String(busyPort), DEV_POSTGRES_DIR: path.join(dir, 'dev'), HTTP_PORT: String(await findFreePort()), HOME: dir };
    const postgres = await runNodeScript('scripts/dev-postgres.ts', [], env);
    assert.equal(postgres.code, 1);
    assert.equal(postgres.stderr, `embedded PostgreSQL cannot start: port ${busyPort} on 127.0.0.1 is already in use by another program; set DEV_POSTGRES_PORT to a free port (in .env), or stop that program\n`);
    const dev = await runNodeScript('scripts/dev.ts', [], env);
    assert.equal(dev.code, 1);
    assert.equal(dev.stderr, postgres.stderr);
    assert.equal(dev.stdout, `Starting embedded PostgreSQL (data in ${env.DEV_POSTGRES_DIR})…\n`);
  });

  it("start-dev: the worker's HTTP port in use is one line too, before anything starts", async () => {
    const dev = await runNodeScript('scripts/dev.ts', [], { HTTP_PORT: String(busyPort), DEV_POSTGRES_DIR: path.join(dir, 'never'), HOME: dir });
    assert.equal(dev.code, 1);
    assert.equal(dev.stderr, `port ${busyPort} on 127.0.0.1 (HTTP_PORT) is already in use: is start-dev.sh already running? stop it, or set HTTP_PORT to a free port (in .env)\n`);
    assert.equal(dev.stdout, '');
    await assert.rejects(stat(path.join(dir, 'never')), { code: 'ENOENT' });
  });
});

describe('embedded PostgreSQL as root, from folders the postgres user cannot enter', { skip: asRoot ? false : 'needs root' }, () => {
  it('keeps the cluster where the server can reach it, behind a symlink at the requested path', async () => {
    const hidden = path.join(dir, 'private');
    await mkdir(path.join(hidden, 'clone', '.data'), { recursive: true, mode: 0o700 });
    await chmod(hidden, 0o700);
    const dataDir = path.join(hidden, 'clone', '.data', 'postgres');
    const cluster = await startEmbeddedPostgres({ dataDir, port: await findFreePort(), persistent: false });
    let real: string;
    try {
      assert.equal(await selectOne(cluster), 1);
      assert.ok((await lstat(dataDir)).isSymbolicLink());
      real = await readlink(dataDir);
      assert.match(real, /^\/var\/lib\/trademachine-embedded-postgres\/[0-9a-f]{16}\/data$/);
      assert.equal((await stat(hidden)).mode & 0o777, 0o700, 'the private folder is left as it was');
    } finally {
      await cluster.stop();
    }
    await assert.rejects(lstat(real), { code: 'ENOENT' });
    await assert.rejects(lstat(dataDir), { code: 'ENOENT' });
  });

  it('copies binaries the postgres user cannot reach to a root-owned cache, once', async () => {
    const user = postgresOsUser();
    assert.ok(user);
    const packaged = await packagedBinaries();
    const hidden = path.join(dir, 'hidden-modules');
    await mkdir(hidden, { mode: 0o700 });
    await symlink(packaged.nativeDir, path.join(hidden, 'native'));
    const unreachable = { ...packaged, nativeDir: path.join(hidden, 'native'), postgres: path.join(hidden, 'native/bin/postgres'), initdb: path.join(hidden, 'native/bin/initdb') };
    assert.equal(canAccess(user, unreachable.postgres, '-x'), false);
    await chmod(dir, 0o755);
    const cache = path.join(dir, 'cache');
    const copied = await binariesFor(user, unreachable, cache);
    assert.ok(copied.postgres.startsWith(`${cache}/${packaged.version}-`));
    assert.match(execFileSync(copied.postgres, ['--version'], { uid: user.uid, gid: user.gid, encoding: 'utf8' }), /PostgreSQL\) 16\./);
    const copiedAt = (await stat(copied.postgres)).mtimeMs;
    assert.deepEqual(await binariesFor(user, unreachable, cache), copied);
    assert.equal((await stat(copied.postgres)).mtimeMs, copiedAt);
    // Reachable binaries are used where they are.
    assert.equal((await binariesFor(user, copied, cache)).postgres, copied.postgres);
  });
});
