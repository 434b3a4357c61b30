/**
 * Every job runs in an OpenTelemetry span exported over OTLP (http/json here, to a local fake
 * collector): a child of the caller's W3C trace context, or a fresh trace without one, with the
 * job's attributes, its ESPN request and its queries as child spans, and its trace id in its log
 * lines and in `sync_job_execution."traceId"`. The real pg-boss, runner, ESPN client and database.
 */
// First, before anything loads `pg`, exactly as src/main.ts does: the pg instrumentation
// patches the module as it loads, so this also proves main's import order works.
import '../../src/telemetry/instrument-libraries.ts';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { context, trace } from '@opentelemetry/api';
import type { JobWithMetadata, PgBoss } from 'pg-boss';
import { pino } from 'pino';
import { z } from 'zod';
import { enqueue } from '../../src/client/enqueue.ts';
import { defineJob } from '../../src/jobs/define-job.ts';
import { teamSync } from '../../src/jobs/espn/team-sync.ts';
import { PayloadError, PermanentJobError } from '../../src/jobs/outcomes.ts';
import { createBoss, ensureQueues, startWorkers } from '../../src/jobs/queue.ts';
import { executeJob, type RunnerDeps } from '../../src/jobs/runner.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { startTelemetry, type Telemetry } from '../../src/telemetry/telemetry.ts';
import { startFakeEspn, type FakeEspn } from '../../dev/jobs/espn/fake-espn.ts';
import { startFakeDiscord, type FakeDiscord } from '../../dev/jobs/discord/fake-discord.ts';
import { baseballLeagueWithExtraTeam } from '../fixtures/espn/espn-fixtures.ts';
import { startFakeOtlpCollector, type FakeOtlpCollector, type ReceivedSpan } from '../support/fake-otlp-collector.ts';
import { openJobHarness, type JobHarness } from '../support/job-harness.ts';

const LEAGUE_ID = 123456;
const SEASON = 2025;
const CONSUMER = 5;
const STATUS_ERROR = 2;

let collector: FakeOtlpCollector;
let fakeEspn: FakeEspn;
let fakeDiscord: FakeDiscord;
let harness: JobHarness;
let telemetry: Telemetry;
let boss: PgBoss;
let deps: RunnerDeps;
const logLines: Record<string, unknown>[] = [];

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

async function waitForJob(id: string, timeoutMs = 20_000): Promise<JobWithMetadata<unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [job] = await boss.findJobs(teamSync.name, { id });
    if (job && ['completed', 'failed'].includes(job.state)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} is ${job?.state ?? 'missing'} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Enqueues a team sync through the typed client, waits for it, and returns its exported job span. */
async function runTeamSync(payload: Parameters<typeof enqueue<'espn.team-sync'>>[2]): Promise<{ jobId: string; span: ReceivedSpan }> {
  const jobId = await enqueue(boss, 'espn.team-sync', payload);
  assert.ok(jobId, 'enqueued');
  const job = await waitForJob(jobId);
  assert.equal(job.state, 'completed', JSON.stringify(job.output));
  await telemetry.flushTraces();
  const span = await collector.waitForSpan((candidate) => candidate.name === 'job espn.team-sync' && candidate.attributes['job.id'] === jobId);
  return { jobId, span };
}

/** Every span below `root` in the trace, at any depth. */
function descendantsOf(root: ReceivedSpan): ReceivedSpan[] {
  const inTrace = collector.spans().filter((span) => span.traceId === root.traceId);
  const found: ReceivedSpan[] = [];
  let parents = new Set([root.spanId]);
  while (parents.size > 0) {
    const children = inTrace.filter((span) => span.parentSpanId !== undefined && parents.has(span.parentSpanId));
    found.push(...children);
    parents = new Set(children.map((span) => span.spanId));
  }
  return found;
}

async function executionTraceIds(jobId: string): Promise<(string | null)[]> {
  const rows = await harness.database.db
    .selectFrom('sync_job_execution')
    .select('traceId')
    .where(sql<string>`metadata->>'jobId'`, '=', jobId)
    .execute();
  return rows.map((row) => row.traceId);
}

before(async () => {
  collector = await startFakeOtlpCollector();
  fakeEspn = await startFakeEspn();
  fakeDiscord = await startFakeDiscord();
  fakeEspn.setLeague({ season: SEASON, leagueId: LEAGUE_ID, body: baseballLeagueWithExtraTeam() });
  harness = await openJobHarness({
    ESPN_LEAGUE_ID: String(LEAGUE_ID),
    ESPN_SEASON: String(SEASON),
    ESPN_BASE_URL: fakeEspn.baseUrl,
    ESPN_TIMEOUT_MS: '2000',
    DISCORD_BOT_TOKEN: 'fake-discord-token',
    DISCORD_API_BASE_URL: fakeDiscord.apiBaseUrl,
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_SERVICE_NAME: 'worker-under-test',
  });
  telemetry = startTelemetry(harness.config.tracing);
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  deps = { ...harness.deps, log: createLogger({ level: 'info', format: 'json' }, { destination: capture }) };
  const quiet = pino({ level: 'silent' });
  boss = createBoss({ connectionString: harness.database.url, schema: 'pgboss', cronEnabled: false }, quiet);
  await boss.start();
  await ensureQueues(boss, [teamSync], quiet);
  await startWorkers(boss, [teamSync], deps);
});

after(async () => {
  await boss?.stop({ graceful: false, close: true });
  await telemetry?.shutdown();
  await harness?.close();
  await fakeEspn?.close();
  await fakeDiscord?.close();
  await collector?.close();
});

describe('job spans', () => {
  test('a job enqueued with a traceContext runs in a child span of it, with the job attributes, its trace id in its sync rows and log lines', async () => {
    const traceId = hex(16);
    const parentSpanId = hex(8);
    const { jobId, span } = await runTeamSync({ traceContext: { traceparent: `00-${traceId}-${parentSpanId}-01` }, obanJob: { target: 'production', id: 4242 } });

    assert.equal(span.traceId, traceId);
    assert.equal(span.parentSpanId, parentSpanId);
    assert.equal(span.kind, CONSUMER);
    assert.deepEqual(
      {
        name: span.attributes['job.name'],
        id: span.attributes['job.id'],
        attempt: span.attributes['job.attempt'],
        target: span.attributes['job.target'],
        system: span.attributes['messaging.system'],
        obanJobId: span.attributes['oban.job_id'],
        obanTarget: span.attributes['oban.target'],
      },
      { name: 'espn.team-sync', id: jobId, attempt: 1, target: 'production', system: 'pg-boss', obanJobId: 4242, obanTarget: 'production' },
    );
    assert.equal(span.resource['service.name'], 'worker-under-test');

    const executionTraces = await executionTraceIds(jobId);
    assert.ok(executionTraces.length > 0, 'the sync recorded its run');
    for (const recorded of executionTraces) {
      assert.equal(recorded, traceId);
      assert.match(recorded ?? '', /^[0-9a-f]{32}$/);
    }

    const jobLines = logLines.filter((line) => line.jobId === jobId);
    assert.ok(jobLines.some((line) => line.msg === 'job started') && jobLines.some((line) => line.msg === 'job completed'), 'start and outcome lines');
    for (const line of jobLines) {
      assert.equal(line.traceId, traceId, `trace id on "${String(line.msg)}"`);
      assert.equal(line.spanId, span.spanId, `span id on "${String(line.msg)}"`);
    }
  });

  test("the job's ESPN request (undici) and its database queries (pg) are child spans of the job span", async () => {
    const { span } = await runTeamSync({ traceContext: { traceparent: `00-${hex(16)}-${hex(8)}-01` } });
    const below = descendantsOf(span);
    const espnCall = below.find((child) => child.kind === 3 && String(child.attributes['url.full'] ?? '').startsWith(fakeEspn.baseUrl));
    assert.ok(espnCall, `an HTTP client span to the fake ESPN; got ${below.map((child) => child.name).join(', ')}`);
    assert.equal(espnCall.parentSpanId, span.spanId, 'the request is a direct child of the job span');
    assert.equal(espnCall.attributes['http.request.method'], 'GET');
    const queries = below.filter((child) => child.attributes['db.system'] === 'postgresql' || child.attributes['db.system.name'] === 'postgresql');
    const statements = queries.map((query) => String(query.attributes['db.query.text'] ?? query.attributes['db.statement'] ?? ''));
    assert.ok(statements.some((text) => /sync_job_execution/.test(text)), `a query span for the sync's execution row; got ${statements.join(' | ')}`);
    assert.ok(queries.some((query) => query.parentSpanId === span.spanId), 'a query is a direct child of the job span');
  });

  test('a job without a trace context gets a fresh root trace of its own, linked to pg-boss\'s process span', async () => {
    const earlier = new Set(collector.spans().map((span) => span.traceId));
    const { jobId, span } = await runTeamSync({});
    assert.equal(span.parentSpanId, undefined, 'a root span');
    assert.ok(!earlier.has(span.traceId), 'a trace id never seen before');
    assert.match(span.traceId, /^[0-9a-f]{32}$/);
    assert.equal(span.links.length, 1, 'linked to the batch it was fetched in');
    const processSpan = collector.spans().find((candidate) => candidate.spanId === span.links[0]?.spanId);
    assert.equal(processSpan?.name, 'process espn.team-sync');
    assert.deepEqual(await executionTraceIds(jobId), [span.traceId]);
  });

  test('enqueued inside an active span without a traceContext, the job continues that span\'s trace', async () => {
    const caller = trace.getTracer('tracing-test').startSpan('owner request');
    const result = await context.with(trace.setSpan(context.active(), caller), () => runTeamSync({}));
    caller.end();
    assert.equal(result.span.traceId, caller.spanContext().traceId);
    assert.equal(result.span.parentSpanId, caller.spanContext().spanId);
  });
});

describe('Discord', () => {
  test("a Discord call (@discordjs/rest, its own undici) is a child span of the job span", async () => {
    const dm = defineJob({
      name: 'test.open-dm',
      description: 'opens a DM channel',
      payload: z.object({}).strict(),
      queue: {},
      run: async (_payload, ctx) => ({ channelId: await ctx.clients.discord.openDm('123456789012345678', ctx.signal) }),
    });
    const outcome = await executeJob(dm, {}, deps, { id: 'dm-1', attempt: 1, signal: new AbortController().signal });
    assert.equal(outcome.kind, 'completed', JSON.stringify(outcome));
    await telemetry.flushTraces();
    const span = await collector.waitForSpan((candidate) => candidate.attributes['job.id'] === 'dm-1');
    const call = await collector.waitForSpan((candidate) => candidate.parentSpanId === span.spanId && candidate.kind === 3);
    assert.equal(call.attributes['http.request.method'], 'POST');
    assert.match(String(call.attributes['url.full']), /\/users\/@me\/channels$/);
  });
});

describe('trace context at enqueue', () => {
  test('an invalid traceparent is refused at enqueue with a message naming the field', async () => {
    for (const traceparent of ['not-a-traceparent', `00-${'0'.repeat(32)}-${hex(8)}-01`, `00-${hex(16)}-${'0'.repeat(16)}-01`, `00-${hex(16).toUpperCase()}-${hex(8)}-01`]) {
      await assert.rejects(
        // No queue at all: validation must refuse it before enqueue reaches for one.
        enqueue(undefined as never, 'espn.team-sync', { traceContext: { traceparent } }),
        (error: unknown) => error instanceof PayloadError && error.message.startsWith('espn.team-sync.traceContext.traceparent: '),
        traceparent,
      );
    }
  });
});

describe('failed jobs', () => {
  test('a failed attempt ends its span with status ERROR and the exception recorded', async () => {
    const refused = defineJob({
      name: 'test.refused',
      description: 'always fails permanently',
      payload: z.object({}).strict(),
      queue: {},
      run: async () => {
        throw new PermanentJobError('UPSTREAM_UNAUTHORIZED', 'upstream said 401');
      },
    });
    const outcome = await executeJob(refused, { traceContext: { traceparent: `00-${hex(16)}-${hex(8)}-01` } }, deps, {
      id: 'refused-1',
      attempt: 2,
      signal: new AbortController().signal,
    });
    assert.equal(outcome.kind, 'failed');
    await telemetry.flushTraces();
    const span = await collector.waitForSpan((candidate) => candidate.attributes['job.id'] === 'refused-1');
    assert.equal(span.status.code, STATUS_ERROR);
    assert.equal(span.status.message, 'upstream said 401');
    assert.equal(span.attributes['job.attempt'], 2);
    assert.equal(span.attributes['error.type'], 'UPSTREAM_UNAUTHORIZED');
    assert.ok(span.events.some((event) => event.name === 'exception'), 'the exception is recorded');
  });
});
