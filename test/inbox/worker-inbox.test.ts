/**
 * The inbox inside a whole worker (startWorker with INBOX_ENABLED=true): a row the owner inserts
 * into `oban_jobs` runs as its job and ends `completed` as the owner's admin page reads it; a row
 * it cannot interpret is discarded; with the inbox off (the default) rows are left alone.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { startWorker, type RunningWorker } from '../../src/worker.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { testConfig } from '../support/test-config.ts';
import { waitFor } from '../jobs/discord/support/gateway-fixtures.ts';

let database: TestDatabase;

/** The owner's insert (jobs-reference §7): its columns, the rest the table's defaults. */
async function ownerInsert(worker: string, queue: string, args: Record<string, unknown>, maxAttempts: number): Promise<number> {
  const { rows } = await database.pool.query<{ id: string }>(
    `INSERT INTO oban_jobs (queue, worker, args, scheduled_at, priority, state, max_attempts)
     VALUES ($1, $2, $3::jsonb, $4, 0, 'available', $5) RETURNING id::text AS id`,
    [queue, worker, JSON.stringify(args), new Date(), maxAttempts],
  );
  return Number(rows[0]!.id);
}

/** What the owner's admin status endpoint reads. */
async function adminRow(id: number) {
  const { rows } = await database.pool.query<{ state: string; completed_at: Date | null; discarded_at: Date | null; errors: { error: string }[] | null }>(
    'SELECT state, completed_at, discarded_at, errors FROM oban_jobs WHERE id = $1',
    [id],
  );
  return rows[0];
}

before(async () => {
  database = await createTestDatabase();
});
after(async () => {
  await database?.drop();
});

describe('INBOX_ENABLED=true', () => {
  let worker: RunningWorker;
  before(async () => {
    const config = testConfig(database.url, { HTTP_PORT: '0', REPL_ENABLED: 'false', INBOX_ENABLED: 'true', INBOX_POLL_MS: '100' });
    worker = await startWorker({ config, log: pino({ level: 'silent' }) });
  });
  after(async () => {
    await worker?.stop();
  });

  test("the owner's webhook row runs email.status and ends completed; an unknown worker string is discarded", async () => {
    const webhook = await ownerInsert('TradeMachine.Jobs.EmailWebhookWorker', 'emails', { env: 'production', message_id: '<inbox-1@mail.example>', event: 'delivered' }, 3);
    const unknown = await ownerInsert('TradeMachine.Jobs.Carrier', 'emails', { env: 'production' }, 3);
    await waitFor(async () => (await adminRow(webhook))?.state === 'completed', 10_000, 'the webhook row to complete');
    const row = await adminRow(webhook);
    assert.ok(row?.completed_at instanceof Date, 'completed_at set');
    const { rows } = await database.pool.query<{ status: string }>(`SELECT status FROM email WHERE "messageId" = '<inbox-1@mail.example>'`);
    assert.deepEqual(rows, [{ status: 'delivered' }], 'the job ran against the owner database');

    await waitFor(async () => (await adminRow(unknown))?.state === 'discarded', 10_000, 'the unknown row to be discarded');
    const discarded = await adminRow(unknown);
    assert.ok(discarded?.discarded_at instanceof Date);
    assert.match(discarded?.errors?.[0]?.error ?? '', /TradeMachine\.Jobs\.Carrier/);
  });
});

describe('INBOX_ENABLED unset (the default)', () => {
  test('rows stay available for the previous service', async () => {
    const worker = await startWorker({ config: testConfig(database.url, { HTTP_PORT: '0', REPL_ENABLED: 'false' }), log: pino({ level: 'silent' }) });
    try {
      assert.equal(worker.inbox, undefined);
      const id = await ownerInsert('TradeMachine.Jobs.EmailWebhookWorker', 'emails', { env: 'production', message_id: '<inbox-2@mail.example>', event: 'opened' }, 3);
      await new Promise((resolve) => setTimeout(resolve, 700));
      assert.equal((await adminRow(id))?.state, 'available');
    } finally {
      await worker.stop();
    }
  });
});
