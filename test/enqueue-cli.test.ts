/** `npm run enqueue` refuses a bad payload with the field named, and enqueues a good one. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PgBoss } from 'pg-boss';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { runNodeScript } from './support/spawn-node.ts';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
});
after(async () => {
  await database.drop();
});

test('a bad payload is refused before it reaches the queue, naming the field', async () => {
  const result = await runNodeScript('scripts/enqueue.ts', ['espn.team-sync', '{"databaseScope":"everywhere"}'], { DATABASE_URL: database.url });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^PayloadError: espn\.team-sync\.databaseScope: /);
});

test('JSON that does not parse is refused', async () => {
  const result = await runNodeScript('scripts/enqueue.ts', ['espn.team-sync', '{oops'], { DATABASE_URL: database.url });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^payload is not JSON: /);
});

test('an unknown job lists the jobs there are', async () => {
  const result = await runNodeScript('scripts/enqueue.ts', ['espn.nope', '{}'], { DATABASE_URL: database.url });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /unknown job "espn\.nope"[\s\S]*espn\.team-sync[\s\S]*email\.send/);
});

test('a good payload is enqueued with its defaults applied', async () => {
  const result = await runNodeScript('scripts/enqueue.ts', ['espn.team-sync', '{}'], { DATABASE_URL: database.url });
  assert.equal(result.code, 0, result.stderr);
  const id = /^enqueued espn\.team-sync ([0-9a-f-]{36})$/m.exec(result.stdout)?.[1];
  assert.ok(id, result.stdout);
  const boss = new PgBoss({ connectionString: database.url, schema: 'pgboss', supervise: false, schedule: false });
  await boss.start();
  try {
    const [job] = await boss.findJobs('espn.team-sync', { id });
    assert.deepEqual(job?.data, { databaseScope: 'production' });
  } finally {
    await boss.stop({ graceful: false });
  }
});
