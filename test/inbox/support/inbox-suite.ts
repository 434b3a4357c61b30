/**
 * The oban_jobs inbox end to end on real PostgreSQL: the owner's exact inserts (jobs-reference §7)
 * into production's `oban_jobs` (public, the queue's database) and staging's (the `staging` schema,
 * of the same database as the owner deploys it, or of a separate one), the inbox, pg-boss and its
 * workers; then what the owner's admin status endpoint reads back. One suite, run by two files,
 * one per place staging can be.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import type { z } from 'zod';
import { jobs } from '../../../src/jobs/index.ts';
import type { JobContext, JobDefinition } from '../../../src/jobs/define-job.ts';
import { createBoss, ensureQueues, startWorkers } from '../../../src/jobs/queue.ts';
import { PermanentJobError, SnoozeJob } from '../../../src/jobs/outcomes.ts';
import { runTrackedSync } from '../../../src/jobs/sync-runs.ts';
import { startInbox, sharesQueueDatabase, type Inbox, type InboxOptions, type InboxTarget } from '../../../src/inbox/inbox.ts';
import { inboxJobId } from '../../../src/inbox/job-id.ts';
import { startTelemetry, type Telemetry } from '../../../src/telemetry/telemetry.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { openJobHarness, type JobHarness } from '../../support/job-harness.ts';

const FRONT = 'https://trades.example.test';
const log = pino({ level: 'silent' });

/** Where staging lives: the `staging` schema of production's database (the default), or a database of its own. */
export type StagingPlace = 'staging schema, same database' | 'staging schema, separate database';

let stagingDatabase: TestDatabase | undefined;
let telemetry: Telemetry | undefined;
let harness: JobHarness;
let boss: PgBoss;
let targets: InboxTarget[];
const inboxes: Inbox[] = [];

/** Every attempt a worker started: job name, payload, pg-boss id, attempt, when. */
interface Ran {
  readonly job: string;
  readonly payload: Record<string, unknown>;
  readonly jobId: string;
  readonly attempt: number;
  readonly at: number;
  /** The trace the job's span is in. */
  readonly traceId: string | undefined;
  /** The envelope's row reference, as the runner handed it to the job. */
  readonly obanJob: JobContext['obanJob'];
}
const ran: Ran[] = [];
/** A sync's execution rows as they stood while it ran (before any outcome pass): by job id and target. */
const executionsDuringRun = new Map<string, { obanJobId: string | null; traceId: string | null }>();
/** What a stub does on an attempt: by a marker in the payload. */
type Behaviour = 'ok' | 'fail-once' | 'fail-always' | 'permanent' | 'block' | 'snooze-once';
/** Markers whose job has snoozed once already (the re-sent job is a new job, attempt 1 again). */
const snoozed = new Set<string>();
const behaviours = new Map<string, Behaviour>();
const gates = new Map<string, () => void>();

function markerOf(payload: Record<string, unknown>): string {
  return String(payload.tradeId ?? payload.userId ?? payload.messageId ?? '');
}

async function stubRun(job: string, payload: Record<string, unknown>, ctx: JobContext): Promise<unknown> {
  ran.push({ job, payload, jobId: ctx.jobId, attempt: ctx.attempt, at: Date.now(), traceId: ctx.traceId, obanJob: ctx.obanJob });
  const behaviour = behaviours.get(markerOf(payload)) ?? 'ok';
  if (behaviour === 'permanent') throw new PermanentJobError('TRADE_NOT_FOUND', `trade ${String(payload.tradeId)} not found`);
  if (behaviour === 'fail-always' || (behaviour === 'fail-once' && ctx.attempt === 1)) throw new Error(`upstream down (attempt ${ctx.attempt})`);
  if (behaviour === 'block') await new Promise<void>((resolve) => gates.set(markerOf(payload), resolve));
  if (behaviour === 'snooze-once' && !snoozed.has(markerOf(payload))) {
    snoozed.add(markerOf(payload));
    throw new SnoozeJob(2, 'provider rate limit reached (test)');
  }
  return { ok: true };
}

const syncTypes = {
  'espn.team-sync': 'espn_team_sync',
  'espn.players-sync': 'mlb_players_sync',
  'sheets.minors-sync': 'minors_sync',
  'sheets.draft-picks-sync': 'draft_picks_sync',
} as const;

/** The registry's jobs, fast retries; email.status runs for real, the others are stubs (syncs keep their real run tracking). */
function testDefinitions(): JobDefinition<z.ZodType, unknown>[] {
  return jobs.map((definition): JobDefinition<z.ZodType, unknown> => {
    const queue = { ...definition.queue, retryDelaySeconds: 1, retryDelayMaxSeconds: 1, retryLimit: 1 };
    if (definition.name === 'email.status') {
      const real = definition as JobDefinition<z.ZodType, unknown>;
      return {
        ...real,
        queue,
        run: async (payload, ctx) => {
          ran.push({ job: real.name, payload: payload as Record<string, unknown>, jobId: ctx.jobId, attempt: ctx.attempt, at: Date.now(), traceId: ctx.traceId, obanJob: ctx.obanJob });
          return real.run(payload, ctx);
        },
      };
    }
    if (definition.name in syncTypes) {
      const jobType = syncTypes[definition.name as keyof typeof syncTypes];
      return {
        ...(definition as JobDefinition<z.ZodType, unknown>),
        queue,
        run: async (payload: { databaseScope: 'both' }, ctx) => {
          await stubRun(definition.name, payload, ctx);
          return runTrackedSync(ctx, payload.databaseScope, jobType, {
            prepare: async () => null,
            syncTarget: async (target) => {
              // What the admin page would find mid-run, before the inbox's outcome pass links anything.
              const { rows } = await target.pool.query<{ obanJobId: string | null; traceId: string | null }>(
                `SELECT "obanJobId"::text AS "obanJobId", "traceId" FROM sync_job_execution WHERE metadata->>'jobId' = $1`,
                [ctx.jobId],
              );
              executionsDuringRun.set(`${ctx.jobId}:${target.name}`, rows[0]!);
              return { result: null, execution: { recordsProcessed: 1, recordsUpdated: 1, recordsSkipped: 0 } };
            },
          });
        },
      };
    }
    return { ...(definition as JobDefinition<z.ZodType, unknown>), queue, run: (payload, ctx) => stubRun(definition.name, payload as Record<string, unknown>, ctx) };
  });
}

function inboxOptions(overrides: Partial<InboxOptions> = {}): InboxOptions {
  return {
    boss,
    queueSchema: 'pgboss',
    queuePool: harness.targets.get('production').pool,
    targets,
    inbox: { ...harness.config.inbox, pollMs: 500 },
    frontendOrigins: Object.fromEntries(harness.config.targets.map((target) => [target.name, target.frontendOrigin])),
    maxPayloadBytes: harness.config.maxPayloadBytes,
    log,
    ...overrides,
  };
}

/** The target's pool: its search_path is its schema, as the owner's deployment of that target sees its tables. */
function poolOf(target: 'production' | 'staging'): pg.Pool {
  return harness.targets.get(target).pool;
}

/** The owner's insert (ObanDAO.enqueueJob): queue, worker, args, scheduled_at now, priority 0, state available, max_attempts; the rest DB defaults. */
async function ownerInsert(target: 'production' | 'staging', worker: string, queue: string, args: Record<string, unknown>, maxAttempts = 20): Promise<{ id: number; insertedAt: number }> {
  const insertedAt = Date.now();
  const { rows } = await poolOf(target).query<{ id: string }>(
    `INSERT INTO oban_jobs (queue, worker, args, scheduled_at, priority, state, max_attempts)
     VALUES ($1, $2, $3::jsonb, $4, 0, 'available', $5) RETURNING id::text AS id`,
    [queue, worker, JSON.stringify(args), new Date(), maxAttempts],
  );
  return { id: Number(rows[0]!.id), insertedAt };
}

interface AdminRow {
  id: string;
  state: string;
  attempt: number;
  max_attempts: number;
  errors: { at: string; attempt: number; error: string }[] | null;
  attempted_by: string[] | null;
  attempted_at: Date | null;
  completed_at: Date | null;
  discarded_at: Date | null;
  cancelled_at: Date | null;
}

/** What the owner's admin status endpoint reads: the row by id, and the sync run with that obanJobId. */
async function adminStatus(target: 'production' | 'staging', id: number): Promise<{ job: AdminRow; execution: Record<string, unknown> | undefined }> {
  const { rows } = await poolOf(target).query<AdminRow>('SELECT * FROM oban_jobs WHERE id = $1', [id]);
  const { rows: executions } = await poolOf(target).query('SELECT * FROM sync_job_execution WHERE "obanJobId" = $1', [id]);
  return { job: rows[0]!, execution: executions[0] };
}

async function waitForState(target: 'production' | 'staging', id: number, states: readonly string[], timeoutMs = 20_000): Promise<AdminRow> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { job } = await adminStatus(target, id);
    if (states.includes(job.state)) return job;
    if (Date.now() > deadline) assert.fail(`row ${target}#${id} is ${job.state}, expected ${states.join('/')} (errors ${JSON.stringify(job.errors)})`);
    await sleep(50);
  }
}

/** For an inbox not looping: poll until the row reaches a state (outcomes are written by polls). */
async function pollUntil(inbox: Inbox, target: 'production' | 'staging', id: number, state: string, timeoutMs = 10_000): Promise<AdminRow> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await inbox.pollOnce();
    const { job } = await adminStatus(target, id);
    if (job.state === state) return job;
    if (Date.now() > deadline) assert.fail(`row ${target}#${id} is ${job.state}, expected ${state}`);
    await sleep(50);
  }
}

async function queuedJobs(id: string): Promise<number> {
  const { rows } = await harness.database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM pgboss.job WHERE id = $1::uuid', [id]);
  return rows[0]!.n;
}

const userWithToken = randomUUID();
const tradeOk = randomUUID();
const tradeRetry = randomUUID();
const tradePermanent = randomUUID();
const tradeExhausted = randomUUID();
const tradeCancelled = randomUUID();
const recipient = randomUUID();

/** Registers the whole suite with staging in `place`. */
export function inboxSuite(place: StagingPlace): void {
  describe(`the oban_jobs inbox, ${place}`, () => {
    before(() => setUp(place));
    after(tearDown);
    defineTests();
  });
}

async function setUp(place: StagingPlace): Promise<void> {
  const separate = place === 'staging schema, separate database';
  if (separate) stagingDatabase = await createTestDatabase();
  harness = await openJobHarness({ ...(stagingDatabase ? { STAGING_DATABASE_URL: stagingDatabase.url } : {}), FRONTEND_URL: FRONT, INBOX_ENABLED: 'true' });
  // The SDK as the worker starts it (no exporter: spans exist, nothing leaves), so jobs get trace ids.
  telemetry = startTelemetry(harness.config.tracing);
  targets = harness.config.targets.map((config) => ({
    name: config.name,
    pool: harness.targets.get(config.name).pool,
    sharesQueueDatabase: sharesQueueDatabase(harness.config, config),
  }));
  assert.deepEqual(targets.map((target) => [target.name, target.sharesQueueDatabase]), [['production', true], ['staging', !separate]]);
  assert.deepEqual(harness.config.targets.map((target) => target.schema), ['public', 'staging']);
  for (const target of ['production', 'staging'] as const) {
    await poolOf(target).query(`INSERT INTO "user" (id, email, "displayName", "passwordResetToken") VALUES ($1, 'casey@example.test', 'Casey', 'tok-abc')`, [userWithToken]);
  }
  boss = createBoss({ connectionString: harness.database.url, schema: 'pgboss', cronEnabled: false }, log);
  await boss.start();
  const definitions = testDefinitions();
  await ensureQueues(boss, definitions, log);
  await startWorkers(boss, definitions, harness.deps);
}

async function tearDown(): Promise<void> {
  for (const inbox of inboxes) await inbox.stop();
  await boss?.stop({ graceful: false, close: true });
  await harness?.close();
  await stagingDatabase?.drop();
  await telemetry?.shutdown();
}

function defineTests(): void {
  test('replay of every owner insert of §7: the job that ran, its payload, the final row, the sync run, the latency', async () => {
    behaviours.set(tradeRetry, 'fail-once');
    behaviours.set(tradePermanent, 'permanent');
    behaviours.set(tradeExhausted, 'fail-always');
    behaviours.set(tradeCancelled, 'block');
    const accept = `${FRONT}/trades/${tradeOk}?action=accept&token=a`;
    const decline = `${FRONT}/trades/${tradeOk}?action=decline&token=d`;
    const submit = `${FRONT}/trades/${tradeOk}?action=submit&token=s`;
    const view = `${FRONT}/trades/${tradeOk}?token=v`;
    const settings = `${FRONT}/dashboard`;
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const E = 'TradeMachine.Jobs.EmailWorker';
    const D = 'TradeMachine.Jobs.DiscordWorker';
    const cases: {
      label: string;
      target: 'production' | 'staging';
      worker: string;
      queue: string;
      max?: number;
      args: Record<string, unknown>;
      job: string;
      payload: Record<string, unknown> | undefined;
      final: string;
      errors: number;
    }[] = [
      { label: 'reset_password', target: 'production', worker: E, queue: 'emails', args: { env: 'production', email_type: 'reset_password', data: userWithToken, user_id: userWithToken, trace_context: { traceparent } }, job: 'email.send', payload: { type: 'password_reset', target: 'production', userId: userWithToken, resetUrl: `${FRONT}/reset_password#token=tok-abc` }, final: 'completed', errors: 0 },
      { label: 'registration_email', target: 'production', worker: E, queue: 'emails', args: { env: 'production', email_type: 'registration_email', data: userWithToken, user_id: userWithToken }, job: 'email.send', payload: { type: 'registration', target: 'production', userId: userWithToken, registrationUrl: `${FRONT}/register` }, final: 'completed', errors: 0 },
      { label: 'trade_request email (fails once, then succeeds)', target: 'production', worker: E, queue: 'emails', args: { env: 'production', email_type: 'trade_request', trade_id: tradeRetry, recipient_user_id: recipient, user_id: recipient, accept_url: accept, decline_url: decline }, job: 'email.send', payload: { type: 'trade_request', target: 'production', tradeId: tradeRetry, recipientUserId: recipient, acceptUrl: accept, declineUrl: decline }, final: 'completed', errors: 1 },
      { label: 'trade_declined email', target: 'production', worker: E, queue: 'emails', args: { env: 'production', email_type: 'trade_declined', trade_id: tradeOk, recipient_user_id: recipient, user_id: recipient, is_creator: true, decline_url: view }, job: 'email.send', payload: { type: 'trade_declined', target: 'production', tradeId: tradeOk, recipientUserId: recipient, isCreator: true, tradeUrl: view }, final: 'completed', errors: 0 },
      { label: 'trade_submit email (staging env, staging schema)', target: 'staging', worker: E, queue: 'emails', args: { env: 'staging', email_type: 'trade_submit', trade_id: tradeOk, recipient_user_id: recipient, user_id: recipient, submit_url: submit }, job: 'email.send', payload: { type: 'trade_submit', target: 'staging', tradeId: tradeOk, recipientUserId: recipient, submitUrl: submit, tradeUrl: submit }, final: 'completed', errors: 0 },
      { label: 'trade_announcement (permanent failure)', target: 'production', worker: D, queue: 'discord', max: 3, args: { env: 'production', job_type: 'trade_announcement', data: tradePermanent }, job: 'discord.trade-announcement', payload: { target: 'production', tradeId: tradePermanent }, final: 'discarded', errors: 1 },
      { label: 'trade_request_dm (retries exhausted)', target: 'production', worker: D, queue: 'discord', max: 3, args: { env: 'production', job_type: 'trade_request_dm', trade_id: tradeExhausted, recipient_user_id: recipient, user_id: recipient, accept_url: accept, decline_url: decline, notification_settings_url: settings }, job: 'discord.trade-dm', payload: { target: 'production', tradeId: tradeExhausted, recipientUserId: recipient, notificationSettingsUrl: settings, kind: 'request', acceptUrl: accept, declineUrl: decline }, final: 'discarded', errors: 2 },
      { label: 'trade_submit_dm', target: 'production', worker: D, queue: 'discord', max: 3, args: { env: 'production', job_type: 'trade_submit_dm', trade_id: tradeOk, recipient_user_id: recipient, user_id: recipient, submit_url: submit }, job: 'discord.trade-dm', payload: { target: 'production', tradeId: tradeOk, recipientUserId: recipient, kind: 'submit', submitUrl: submit }, final: 'completed', errors: 0 },
      { label: 'trade_declined_dm (cancelled while running)', target: 'production', worker: D, queue: 'discord', max: 3, args: { env: 'production', job_type: 'trade_declined_dm', trade_id: tradeCancelled, recipient_user_id: recipient, user_id: recipient, is_creator: false }, job: 'discord.trade-dm', payload: { target: 'production', tradeId: tradeCancelled, recipientUserId: recipient, kind: 'declined', isCreator: false }, final: 'cancelled', errors: 0 },
      { label: 'Brevo webhook (staging), run for real', target: 'staging', worker: 'TradeMachine.Jobs.EmailWebhookWorker', queue: 'emails', max: 3, args: { env: 'staging', message_id: '<m-1@brevo>', event: 'delivered', email: 'x@example.test' }, job: 'email.status', payload: { target: 'staging', messageId: '<m-1@brevo>', event: 'delivered', provider: 'brevo' }, final: 'completed', errors: 0 },
      { label: 'EspnTeamSync {}', target: 'production', worker: 'TradeMachine.Jobs.EspnTeamSync', queue: 'espn_sync', max: 3, args: {}, job: 'espn.team-sync', payload: undefined, final: 'completed', errors: 0 },
      { label: 'EspnMlbPlayersSync {trace_context}', target: 'production', worker: 'TradeMachine.Jobs.EspnMlbPlayersSync', queue: 'espn_sync', max: 3, args: { trace_context: { traceparent } }, job: 'espn.players-sync', payload: undefined, final: 'completed', errors: 0 },
      { label: 'DraftPicksSync {}', target: 'production', worker: 'TradeMachine.Jobs.DraftPicksSync', queue: 'draft_sync', max: 3, args: {}, job: 'sheets.draft-picks-sync', payload: undefined, final: 'completed', errors: 0 },
      { label: 'MinorsSync {} in the staging schema (§6.3: it runs)', target: 'staging', worker: 'TradeMachine.Jobs.MinorsSync', queue: 'minors_sync', max: 3, args: {}, job: 'sheets.minors-sync', payload: undefined, final: 'completed', errors: 0 },
    ];
    // Every row again, into the other schema (the owner's other deployment, `env` to match), once
    // the first round is done, so the stately syncs do not queue behind their first run.
    const other = (target: 'production' | 'staging'): 'production' | 'staging' => (target === 'production' ? 'staging' : 'production');
    const mirrored = cases
      .filter((item) => item.final !== 'cancelled')
      .map((item) => ({
        ...item,
        label: `${item.label} [into ${other(item.target)}]`,
        target: other(item.target),
        args: 'env' in item.args ? { ...item.args, env: other(item.target) } : item.args,
        payload: item.payload && 'target' in item.payload ? { ...item.payload, target: other(item.target) } : item.payload,
      }));
    const inbox = startInbox(inboxOptions());
    inboxes.push(inbox);
    const inserted: (Awaited<ReturnType<typeof ownerInsert>> & { item: (typeof cases)[number] })[] = [];
    const table: string[] = [];
    const latencies: number[] = [];
    for (const round of [cases, mirrored]) {
      const roundRows: typeof inserted = [];
      for (const item of round) roundRows.push({ item, ...(await ownerInsert(item.target, item.worker, item.queue, item.args, item.max ?? 20)) });
      inserted.push(...roundRows);

      // The blocked declined DM: cancel it while it runs, then let it go.
      const cancelledRow = roundRows.find((entry) => entry.item.payload?.tradeId === tradeCancelled);
      if (cancelledRow) {
        const cancelledJobId = inboxJobId('production', cancelledRow.id);
        for (let tries = 0; !gates.has(tradeCancelled); tries += 1) {
          assert.ok(tries < 400, 'the declined DM never started');
          await sleep(25);
        }
        await boss.cancel('discord.trade-dm', cancelledJobId);
        gates.get(tradeCancelled)!();
      }

      for (const { item, id, insertedAt } of roundRows) {
        const row = await waitForState(item.target, id, [item.final]);
        const jobId = inboxJobId(item.target, id);
        const attempts = ran.filter((entry) => entry.jobId === jobId);
        assert.ok(attempts.length > 0, `${item.label}: a job ran`);
        assert.equal(attempts[0]!.job, item.job, `${item.label}: the job`);
        const expectedPayload = item.payload ?? { databaseScope: 'both' };
        assert.deepEqual(attempts[0]!.payload, expectedPayload, `${item.label}: the payload`);
        assert.deepEqual(attempts[0]!.obanJob, { target: item.target, id }, `${item.label}: the job knows its row`);
        const ownerTrace = (item.args.trace_context as { traceparent: string } | undefined)?.traceparent.split('-')[1];
        assert.match(attempts[0]!.traceId ?? '', /^[0-9a-f]{32}$/, `${item.label}: the job runs in a span`);
        if (ownerTrace) assert.equal(attempts[0]!.traceId, ownerTrace, `${item.label}: the job's span continues the owner's trace`);
        assert.equal(await queuedJobs(jobId), 1, `${item.label}: one pg-boss job`);
        assert.equal(row.state, item.final, item.label);
        assert.equal(row.max_attempts, item.max ?? 20);
        assert.deepEqual(row.attempted_by?.[0], 'trademachine-worker');
        assert.ok(row.attempted_at instanceof Date, `${item.label}: attempted_at`);
        const errors = row.errors ?? [];
        assert.equal(errors.length, item.errors, `${item.label}: errors ${JSON.stringify(errors)}`);
        errors.forEach((entry, index) => {
          assert.equal(entry.attempt, index + 1);
          assert.ok(!Number.isNaN(Date.parse(entry.at)), 'at is a timestamp');
          assert.ok(entry.error.length > 0);
        });
        assert.equal(row.attempt, Math.max(1, attempts.length), `${item.label}: attempt counts the attempts that ran`);
        if (item.final === 'completed') assert.ok(row.completed_at instanceof Date && !row.discarded_at && !row.cancelled_at, `${item.label}: completed_at`);
        if (item.final === 'discarded') assert.ok(row.discarded_at instanceof Date && !row.completed_at, `${item.label}: discarded_at`);
        if (item.final === 'cancelled') assert.ok(row.cancelled_at instanceof Date && !row.completed_at, `${item.label}: cancelled_at`);
        const latency = attempts[0]!.at - insertedAt;
        latencies.push(latency);
        table.push(`${item.target.padEnd(10)} ${item.worker.replace('TradeMachine.Jobs.', '').padEnd(19)} ${item.label.padEnd(66)} → ${item.job.padEnd(26)} → ${row.state.padEnd(9)} errors=${errors.length} attempt=${row.attempt} start ${latency} ms`);
      }
    }
    // Specific errors.
    const permanent = await adminStatus('production', inserted.find((entry) => entry.item.payload?.tradeId === tradePermanent)!.id);
    assert.match(permanent.job.errors![0]!.error, /TRADE_NOT_FOUND: trade .* not found/);
    const retried = await adminStatus('production', inserted.find((entry) => entry.item.payload?.tradeId === tradeRetry)!.id);
    assert.match(retried.job.errors![0]!.error, /upstream down \(attempt 1\)/);

    // Syncs: each run's execution in the row's own schema carries the row id; the other schema's does not.
    for (const { item, id } of inserted.filter((entry) => entry.item.payload === undefined)) {
      const { execution } = await adminStatus(item.target, id);
      assert.ok(execution, `${item.label}: sync_job_execution with obanJobId ${id}`);
      assert.equal(execution.status, 'completed');
      assert.equal(execution.databaseScope, 'both');
      assert.equal((execution.metadata as { jobId: string }).jobId, inboxJobId(item.target, id));
      const jobId = inboxJobId(item.target, id);
      const traceId = ran.find((entry) => entry.jobId === jobId)!.traceId;
      assert.equal(execution.traceId, traceId, `${item.label}: the run records its job's trace id`);
      assert.deepEqual(executionsDuringRun.get(`${jobId}:${item.target}`), { obanJobId: String(id), traceId }, `${item.label}: obanJobId is there from the moment the run opens`);
      const other = item.target === 'production' ? 'staging' : 'production';
      const { rows } = await poolOf(other).query(`SELECT "obanJobId" FROM sync_job_execution WHERE metadata->>'jobId' = $1`, [inboxJobId(item.target, id)]);
      assert.equal(rows.length, 1, `${item.label}: the run wrote ${other} too (scope both)`);
      assert.equal(rows[0].obanJobId, null, `${item.label}: ${other}'s run is not given another schema's id`);
      assert.equal(executionsDuringRun.get(`${jobId}:${other}`)?.obanJobId, null, `${item.label}: nor while it runs`);
    }
    // The webhook ran for real, in staging.
    const { rows: emails } = await poolOf('staging').query(`SELECT status FROM email WHERE "messageId" = '<m-1@brevo>'`);
    assert.deepEqual(emails, [{ status: 'delivered' }]);

    latencies.sort((a, b) => a - b);
    console.log(`\nreplay (poll 500 ms):\n${table.join('\n')}`);
    console.log(`insert-to-start latency: min ${latencies[0]} ms, median ${latencies[Math.floor(latencies.length / 2)]} ms, max ${latencies.at(-1)} ms`);
    await inbox.stop();
  });

  test('an unknown worker string and malformed args are discarded at once with an error naming the problem; the inbox goes on', async () => {
    const inbox = startInbox(inboxOptions(), false);
    const unknown = await ownerInsert('production', 'TradeMachine.Jobs.Unheard', 'emails', { env: 'production' });
    const malformed = await ownerInsert('staging', 'TradeMachine.Jobs.DiscordWorker', 'discord', { env: 'staging', job_type: 'trade_request_dm', trade_id: tradeOk }, 3);
    const badEnv = await ownerInsert('production', 'TradeMachine.Jobs.EmailWebhookWorker', 'emails', { env: 'prod', message_id: 'm', event: 'opened' }, 3);
    const good = await ownerInsert('production', 'TradeMachine.Jobs.EmailWebhookWorker', 'emails', { env: 'production', message_id: '<m-2@brevo>', event: 'opened' }, 3);
    await inbox.pollOnce();
    const expected: [typeof unknown, 'production' | 'staging', RegExp][] = [
      [unknown, 'production', /^unknown worker "TradeMachine\.Jobs\.Unheard"/],
      [malformed, 'staging', /^TradeMachine\.Jobs\.DiscordWorker: args\.recipient_user_id must be a non-empty string/],
      [badEnv, 'production', /^TradeMachine\.Jobs\.EmailWebhookWorker: args\.env must be production, staging or development \(got "prod"\)/],
    ];
    for (const [row, target, message] of expected) {
      const { job } = await adminStatus(target, row.id);
      assert.equal(job.state, 'discarded');
      assert.ok(job.discarded_at instanceof Date);
      assert.equal(job.attempt, 1);
      assert.equal(job.errors?.length, 1);
      assert.equal(job.errors![0]!.attempt, 1);
      assert.match(job.errors![0]!.error, message);
      assert.equal(await queuedJobs(inboxJobId(target, row.id)), 0, 'nothing queued');
    }
    assert.equal(await queuedJobs(inboxJobId('production', good.id)), 1, 'the good row of the same poll was enqueued');
    const done = await pollUntil(inbox, 'production', good.id, 'completed');
    assert.deepEqual([done.attempt, done.errors], [1, []]);
  });

  test('a crash between claim and enqueue leaves the row available and nothing queued; the next poll runs it once', async () => {
    const row = await ownerInsert('production', 'TradeMachine.Jobs.EmailWebhookWorker', 'emails', { env: 'production', message_id: '<m-crash@brevo>', event: 'delivered' }, 3);
    const jobId = inboxJobId('production', row.id);
    // 1. The process dies after the send, before the commit: both are undone.
    const crashing = startInbox(inboxOptions({ beforeCommit: async () => { throw new Error('killed before commit'); } }), false);
    await crashing.pollOnce();
    let { job } = await adminStatus('production', row.id);
    assert.deepEqual([job.state, job.attempt, job.attempted_at, job.attempted_by], ['available', 0, null, null]);
    assert.equal(await queuedJobs(jobId), 0, 'the send inside the transaction was rolled back');
    // 2. The enqueue itself throws after inserting through the transaction: that row is undone and handed back.
    const throwing = startInbox(inboxOptions({ send: async (name, data, options) => { await boss.send(name, data, options); throw new Error('connection lost mid-send'); } }), false);
    await throwing.pollOnce();
    ({ job } = await adminStatus('production', row.id));
    assert.equal(job.state, 'available');
    assert.equal(job.attempt, 0, 'no attempt spent');
    assert.equal(await queuedJobs(jobId), 0);
    await harness.database.pool.query(`UPDATE oban_jobs SET scheduled_at = timezone('UTC', now()) WHERE id = $1`, [row.id]);
    // 3. A healthy poll runs it, once.
    const healthy = startInbox(inboxOptions(), false);
    await pollUntil(healthy, 'production', row.id, 'completed');
    assert.equal(await queuedJobs(jobId), 1);
    assert.equal(ran.filter((entry) => entry.jobId === jobId).length, 1);
  });

  test('a crash before the claim commits, on staging: the row is claimed again, its job is never doubled, it runs once', async () => {
    const row = await ownerInsert('staging', 'TradeMachine.Jobs.EmailWebhookWorker', 'emails', { env: 'staging', message_id: '<m-crash-staging@brevo>', event: 'delivered' }, 3);
    const jobId = inboxJobId('staging', row.id);
    const shares = targets.find((target) => target.name === 'staging')!.sharesQueueDatabase;
    const crashing = startInbox(inboxOptions({ beforeCommit: async () => { throw new Error('killed before commit'); } }), false);
    await crashing.pollOnce();
    assert.equal((await adminStatus('staging', row.id)).job.state, 'available', 'the claim was rolled back');
    // Sharing the queue's database, the send was in the claim's transaction; on its own server it was not, and the job stays.
    assert.equal(await queuedJobs(jobId), shares ? 0 : 1);
    const healthy = startInbox(inboxOptions(), false);
    await pollUntil(healthy, 'staging', row.id, 'completed');
    assert.equal(await queuedJobs(jobId), 1, 'one job for the row: the second send found it by its id');
    assert.equal(ran.filter((entry) => entry.jobId === jobId).length, 1, 'ran once');
  });

  test('a snoozed job keeps its row executing until the job it was re-sent as ends; the snooze is no error', async () => {
    const user = randomUUID();
    behaviours.set(user, 'snooze-once');
    const inbox = startInbox(inboxOptions(), false);
    const row = await ownerInsert('staging', 'TradeMachine.Jobs.EmailWorker', 'emails', { env: 'staging', email_type: 'test', data: user, user_id: user });
    await inbox.pollOnce();
    const first = inboxJobId('staging', row.id);
    for (let tries = 0; !snoozed.has(user); tries += 1) {
      assert.ok(tries < 400, 'the job never ran');
      await sleep(25);
    }
    // The first job completes as "snoozed"; passes meanwhile must not end the row.
    for (let tries = 0; ; tries += 1) {
      const [job] = await boss.findJobs('email.send', { id: first });
      if (job?.state === 'completed') break;
      assert.ok(tries < 200, `the snoozed job is ${job?.state}`);
      await sleep(25);
    }
    await inbox.pollOnce();
    assert.equal((await adminStatus('staging', row.id)).job.state, 'executing', 'still executing while the re-sent job waits');
    const done = await pollUntil(inbox, 'staging', row.id, 'completed', 15_000);
    assert.deepEqual([done.attempt, done.errors], [1, []]);
    assert.equal(ran.filter((entry) => entry.payload.userId === user).length, 2, 'the snoozed attempt and the one after it');
  });

  test('two inbox instances polling the same tables never claim or enqueue a row twice', async () => {
    const sends = new Map<string, number>();
    const counting = (host: string) =>
      startInbox(inboxOptions({
        host,
        batchSize: 7,
        inbox: { ...harness.config.inbox, pollMs: 20 },
        send: async (name, data, options) => {
          sends.set(options.id!, (sends.get(options.id!) ?? 0) + 1);
          return boss.send(name, data, options);
        },
      }));
    const rows: { id: number; target: 'production' | 'staging' }[] = [];
    for (let i = 0; i < 30; i += 1) {
      const target = i % 2 === 0 ? 'production' : 'staging';
      rows.push({ target, ...(await ownerInsert(target, 'TradeMachine.Jobs.EmailWebhookWorker', 'emails', { env: target, message_id: `<race-${i}@brevo>`, event: 'delivered' }, 3)) });
    }
    const a = counting('host-a');
    const b = counting('host-b');
    inboxes.push(a, b);
    for (const row of rows) await waitForState(row.target, row.id, ['completed'], 20_000);
    await a.stop();
    await b.stop();
    const hosts = new Set<string>();
    for (const row of rows) {
      const { job } = await adminStatus(row.target, row.id);
      assert.equal(job.attempt, 1, `row ${row.target}#${row.id} claimed once`);
      hosts.add(job.attempted_by![1]!);
      const jobId = inboxJobId(row.target, row.id);
      assert.equal(sends.get(jobId), 1, `row ${row.target}#${row.id} sent once`);
      assert.equal(ran.filter((entry) => entry.jobId === jobId).length, 1, 'ran once');
    }
    console.log(`two instances: rows claimed by ${[...hosts].sort().join(', ')}`);
  });

  test('pruning deletes finished rows older than INBOX_PRUNE_HOURS, and nothing else', async () => {
    const { pruneFinished } = await import('../../../src/inbox/prune.ts');
    const pool = harness.database.pool;
    const { rows } = await pool.query<{ id: string; label: string }>(
      `INSERT INTO oban_jobs (queue, worker, args, state, completed_at, discarded_at, cancelled_at) VALUES
         ('emails', 'TradeMachine.Jobs.EmailWorker', '{}', 'completed', timezone('UTC', now()) - interval '49 hours', NULL, NULL),
         ('emails', 'TradeMachine.Jobs.EmailWorker', '{}', 'discarded', NULL, timezone('UTC', now()) - interval '50 hours', NULL),
         ('emails', 'TradeMachine.Jobs.EmailWorker', '{}', 'cancelled', NULL, NULL, timezone('UTC', now()) - interval '47 hours'),
         ('emails', 'TradeMachine.Jobs.EmailWorker', '{}', 'available', NULL, NULL, NULL)
       RETURNING id::text AS id, state::text AS label`,
    );
    const before = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM oban_jobs');
    assert.equal(await pruneFinished(pool, 48), 2);
    const left = await pool.query<{ id: string }>('SELECT id::text AS id FROM oban_jobs WHERE id = ANY($1::bigint[]) ORDER BY id', [rows.map((row) => row.id)]);
    assert.deepEqual(left.rows.map((row) => row.id), [rows[2]!.id, rows[3]!.id], 'the recent cancelled row and the available one stay');
    const after = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM oban_jobs');
    assert.equal(after.rows[0]!.n, before.rows[0]!.n - 2);
    await pool.query('DELETE FROM oban_jobs WHERE id = ANY($1::bigint[])', [rows.map((row) => row.id)]);
  });
}
