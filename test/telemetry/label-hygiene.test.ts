/**
 * /metrics after every job has run: the metrics issue 4 asks for are all there, and no label value
 * looks like an id, an email address or a URL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import packageJson from '../../package.json' with { type: 'json' };
import { runEveryJob, startMeteredWorker, type MeteredWorker } from './metered-worker.ts';
import { parseSamples, unboundedLabelProblem, type Sample } from './prometheus-text.ts';

describe('the unbounded-label detector', () => {
  test('flags ids, email addresses and URLs, and lets bounded values through', () => {
    const flagged: [string, string][] = [
      ['user', '3f1c2a4e-9b7d-4c1a-8e2f-0a1b2c3d4e5f'],
      ['team', '42'],
      ['message', '<1714567.abc@smtp-relay.mailin.fr>'],
      ['to', 'casey@example.test'],
      ['url', 'https://app.example.test/reset?token=abc'],
      ['path', '/apis/v3/games/flb/seasons/2025'],
      ['trace', '4bf92f3577b34da6a3ce929d0e0e4736'],
    ];
    for (const [label, value] of flagged) assert.ok(unboundedLabelProblem(label, value), `${label}="${value}" is flagged`);
    const fine: [string, string][] = [
      ['job', 'espn.team-sync'],
      ['outcome', 'dead_lettered'],
      ['le', '0.25'],
      ['status_class', '5xx'],
      ['version', '0.1.0'],
      ['commit', '1f2fd3b0c0ffee5e1f2fd3b0c0ffee5e1f2fd3b0'],
      ['db_namespace', 'trademachine|pgboss'],
    ];
    for (const [label, value] of fine) assert.equal(unboundedLabelProblem(label, value), undefined, `${label}="${value}" is fine`);
  });
});

describe('/metrics after a run of every job', () => {
  let metered: MeteredWorker;
  let samples: Sample[];

  before(async () => {
    metered = await startMeteredWorker();
    await runEveryJob(metered);
    samples = parseSamples(await metered.scrape());
  });
  after(async () => {
    await metered?.stop();
  });

  const series = (name: string, labels: Record<string, string> = {}) =>
    samples.filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value));

  test('no label value looks like an id, an email address or a URL', () => {
    const problems = samples.flatMap((sample) =>
      Object.entries(sample.labels).flatMap(([label, value]) => {
        const problem = unboundedLabelProblem(label, value);
        return problem ? [`${sample.name}{${label}="${value}"} ${problem}`] : [];
      }),
    );
    assert.deepEqual(problems, []);
  });

  test('job runs by outcome, durations in seconds and time waiting, for every job', () => {
    for (const job of ['espn.team-sync', 'espn.players-sync', 'email.send']) {
      assert.equal(series('worker_job_runs_total', { job_name: job, outcome: 'completed' })[0]?.value, 1, `${job} completed once`);
      assert.ok(series('worker_job_duration_bucket', { job_name: job, outcome: 'completed', le: '600' }).length === 0, 'buckets are the seconds ones');
      assert.equal(series('worker_job_duration_bucket', { job_name: job, outcome: 'completed', le: '900' })[0]?.value, 1);
      assert.ok((series('worker_job_wait_count', { job_name: job })[0]?.value ?? 0) >= 1, `${job} wait measured`);
      assert.ok((series('worker_job_last_success_timestamp', { job_name: job })[0]?.value ?? 0) > Date.now() / 1000 - 600, `${job} last success`);
    }
    assert.equal(series('worker_job_runs_total', { job_name: 'email.send', outcome: 'retried' })[0]?.value, 1);
    assert.equal(series('worker_job_runs_total', { job_name: 'email.send', outcome: 'dead_lettered' })[0]?.value, 1);
  });

  test("pg-boss's own instruments: process duration, consumed and sent messages, queue jobs by state", () => {
    for (const name of ['messaging_process_duration_count', 'messaging_client_consumed_messages_total', 'messaging_client_sent_messages_total']) {
      assert.ok(series(name, { messaging_destination_name: 'espn.team-sync' }).length > 0, name);
    }
    for (const queue of ['espn.team-sync', 'email.send', 'email.send.dead']) {
      const states = series('pgboss_queue_jobs', { messaging_destination_name: queue }).map((sample) => sample.labels.pgboss_job_state).sort();
      assert.deepEqual(states, ['active', 'blocked', 'deferred', 'failed', 'ready'], queue);
    }
  });

  test('domain facts: sync records by action, emails by type/provider/outcome, upstream requests by service and status class', () => {
    assert.equal(series('worker_sync_records_total', { job_name: 'espn.team-sync', action: 'updated' })[0]?.value, 10);
    assert.equal(series('worker_sync_records_total', { job_name: 'espn.team-sync', action: 'skipped' })[0]?.value, 1);
    assert.equal(series('worker_sync_records_total', { job_name: 'espn.players-sync', action: 'inserted' })[0]?.value, 150);
    // The players sync's findings, every kind recorded for the target (zeros included, so a panel shows the drop to 0).
    const discrepancies = series('worker_espn_players_discrepancies', { target: 'production' }).map((sample) => sample.labels.kind).sort();
    assert.deepEqual(discrepancies, ['ambiguous', 'conflict', 'duplicate_espn_id', 'missing_from_espn', 'owner_differs']);
    assert.equal(series('worker_emails_total', { type: 'password_reset', provider: 'brevo', outcome: 'sent' })[0]?.value, 1);
    assert.equal(series('worker_emails_total', { type: 'password_reset', provider: 'brevo', outcome: 'failed' })[0]?.value, 1);
    // The team sync's one request and the players sync's two pages.
    assert.equal(series('worker_upstream_request_duration_count', { service: 'espn', status_class: '2xx' })[0]?.value, 3);
    assert.equal(series('worker_upstream_request_duration_count', { service: 'brevo', status_class: '2xx' })[0]?.value, 1);
    assert.equal(series('worker_upstream_request_duration_count', { service: 'brevo', status_class: '5xx' })[0]?.value, 1);
  });

  test('database pools, Node runtime and build info', () => {
    for (const pool of ['production', 'staging', 'queue']) {
      assert.equal(series('worker_db_pool_connections', { pool }).length, 2, `${pool}: used and idle`);
      assert.equal(series('worker_db_pool_waiting', { pool }).length, 1);
      assert.equal(series('worker_db_pool_max', { pool }).length, 1);
    }
    for (const name of ['nodejs_eventloop_delay_p99', 'nodejs_eventloop_utilization', 'v8js_memory_heap_used']) {
      assert.ok(series(name).length > 0, name);
    }
    assert.deepEqual(series('worker_build_info').map((sample) => [sample.labels.version, sample.labels.commit, sample.value]), [
      [packageJson.version, '1f2fd3b0c0ffee5e1f2fd3b0c0ffee5e1f2fd3b0', 1],
    ]);
    assert.deepEqual(series('worker_schema_check_status').map((sample) => [sample.labels.target, sample.value]), [['production', 0], ['staging', 0]], 'one drift verdict per target');
  });
});
