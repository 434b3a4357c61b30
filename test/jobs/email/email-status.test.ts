import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { metrics } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader, type SumMetricData } from '@opentelemetry/sdk-metrics';
import { openTargets } from '../../../src/db/targets.ts';
import { deliveryRanks, FINAL_RANK, isFinal, rankOf } from '../../../src/jobs/email/delivery-status.ts';
import { emailStatus, type EmailStatusPayloadInput } from '../../../src/jobs/email/email-status.ts';
import { PayloadError } from '../../../src/jobs/outcomes.ts';
import { runJobInline } from '../../../src/jobs/runner.ts';
import type { FullOwnerDb } from '../../../src/db/database.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { openJobHarness, type JobHarness } from '../../support/job-harness.ts';

/** Collects on demand, so a test can read what the job counted. */
class OnDemandReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}
const reader = new OnDemandReader();
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));

/** A counter's values so far, keyed by its label values joined with `/` in label-name order. */
async function counter(name: string): Promise<Map<string, number>> {
  const { resourceMetrics } = await reader.collect();
  const values = new Map<string, number>();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      for (const point of (metric as SumMetricData).dataPoints) {
        const key = Object.keys(point.attributes).sort().map((label) => String(point.attributes[label])).join('/');
        values.set(key, point.value);
      }
    }
  }
  return values;
}

/** How much each series grew between two readings. */
function growth(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const grown: Record<string, number> = {};
  for (const [key, value] of after) {
    const delta = value - (before.get(key) ?? 0);
    if (delta !== 0) grown[key] = delta;
  }
  return grown;
}

/** A message id as email.send records it: the provider's id with its angle brackets. */
function newMessageId(): string {
  return `<${randomUUID()}@mail.example.test>`;
}

async function rowOf(db: FullOwnerDb, messageId: string) {
  return db.selectFrom('email').selectAll().where('messageId', '=', messageId).executeTakeFirst();
}

describe('email.status against a real database', () => {
  let harness: JobHarness;
  let staging: TestDatabase;
  let db: FullOwnerDb;

  before(async () => {
    staging = await createTestDatabase();
    harness = await openJobHarness({ STAGING_DATABASE_URL: staging.url, STAGING_SCHEMA: 'public' });
    db = harness.database.db;
  });
  after(async () => {
    await harness?.close();
    await staging?.drop();
  });

  const run = (payload: EmailStatusPayloadInput) => runJobInline(emailStatus, payload, harness.deps);

  /** A row as email.send leaves it: status "sent", with a trade id the webhook must not touch. */
  async function recordedBySend(messageId: string): Promise<string> {
    const tradeId = randomUUID();
    await db.insertInto('trade').values({ id: tradeId, status: '2' }).execute();
    await db.insertInto('email').values({ messageId, status: 'sent', tradeId }).execute();
    return tradeId;
  }

  test('delivered then opened: each raises the status, the trade id stays', async () => {
    const messageId = newMessageId();
    const tradeId = await recordedBySend(messageId);
    const before = await rowOf(db, messageId);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const delivered = await run({ messageId, event: 'delivered', provider: 'brevo' });
    assert.deepEqual(delivered, { target: 'production', messageId, event: 'delivered', applied: 'updated' });
    assert.equal((await rowOf(db, messageId))?.status, 'delivered');
    const opened = await run({ messageId, event: 'opened', provider: 'brevo' });
    assert.equal(opened.applied, 'updated');
    const row = await rowOf(db, messageId);
    assert.equal(row?.status, 'opened');
    assert.equal(row?.tradeId, tradeId);
    assert.ok(row!.dateModified.getTime() > before!.dateModified.getTime(), 'dateModified moves on update');
  });

  test('opened then a late delivered: ignored_older, status stays opened', async () => {
    const messageId = newMessageId();
    await recordedBySend(messageId);
    await run({ messageId, event: 'opened' });
    const late = await run({ messageId, event: 'delivered' });
    assert.equal(late.applied, 'ignored_older');
    assert.equal((await rowOf(db, messageId))?.status, 'opened');
    const sameRank = await run({ messageId, event: 'unique_opened' });
    assert.equal(sameRank.applied, 'ignored_older', 'an equal rank does not replace');
    assert.equal((await rowOf(db, messageId))?.status, 'opened');
  });

  test('hard_bounce is final: later events, even higher-looking ones, are ignored_final', async () => {
    const messageId = newMessageId();
    await recordedBySend(messageId);
    await run({ messageId, event: 'delivered' });
    assert.equal((await run({ messageId, event: 'hard_bounce' })).applied, 'updated');
    for (const event of ['click', 'unsubscribed', 'spam', 'opened', 'request']) {
      const result = await run({ messageId, event });
      assert.equal(result.applied, 'ignored_final', event);
    }
    assert.equal((await rowOf(db, messageId))?.status, 'hard_bounce');
  });

  test('a spam report after a click is final too', async () => {
    const messageId = newMessageId();
    await recordedBySend(messageId);
    await run({ messageId, event: 'click' });
    assert.equal((await run({ messageId, event: 'spam' })).applied, 'updated');
    assert.equal((await run({ messageId, event: 'click' })).applied, 'ignored_final');
    assert.equal((await rowOf(db, messageId))?.status, 'spam');
  });

  test('Mailgun vocabulary: accepted < temporary_fail < delivered < opened < clicked < complained (final)', async () => {
    const messageId = newMessageId();
    await recordedBySend(messageId);
    const steps: [string, string][] = [
      ['accepted', 'ignored_older'], // same rank as email.send's "sent"
      ['temporary_fail', 'updated'],
      ['delivered', 'updated'],
      ['accepted', 'ignored_older'],
      ['opened', 'updated'],
      ['clicked', 'updated'],
      ['delivered', 'ignored_older'],
      ['complained', 'updated'],
      ['clicked', 'ignored_final'],
    ];
    for (const [event, applied] of steps) {
      const result = await run({ messageId, event, provider: 'mailgun' });
      assert.equal(result.applied, applied, `${event} should be ${applied}`);
    }
    assert.equal((await rowOf(db, messageId))?.status, 'complained');
  });

  test('Mailgun permanent_fail is final; a temporary failure is not', async () => {
    const permanent = newMessageId();
    await recordedBySend(permanent);
    assert.equal((await run({ messageId: permanent, event: 'permanent_fail', provider: 'mailgun' })).applied, 'updated');
    assert.equal((await run({ messageId: permanent, event: 'delivered', provider: 'mailgun' })).applied, 'ignored_final');
    const temporary = newMessageId();
    await recordedBySend(temporary);
    await run({ messageId: temporary, event: 'temporary_fail', provider: 'mailgun' });
    assert.equal((await run({ messageId: temporary, event: 'delivered', provider: 'mailgun' })).applied, 'updated');
  });

  test('an unknown message id creates the row with tradeId NULL, as the owner expects', async () => {
    const messageId = newMessageId();
    const result = await run({ messageId, event: 'delivered', provider: 'brevo' });
    assert.deepEqual(result, { target: 'production', messageId, event: 'delivered', applied: 'inserted' });
    const row = await rowOf(db, messageId);
    assert.equal(row?.status, 'delivered');
    assert.equal(row?.tradeId, null);
  });

  test('an unknown event is stored only where no status is, never an error', async () => {
    const fresh = newMessageId();
    const inserted = await run({ messageId: fresh, event: 'teleported' });
    assert.equal(inserted.applied, 'inserted');
    assert.equal((await rowOf(db, fresh))?.status, 'teleported');
    assert.equal((await run({ messageId: fresh, event: 'delivered' })).applied, 'updated', 'a known event outranks an unknown one');
    assert.equal((await run({ messageId: fresh, event: 'teleported' })).applied, 'ignored_older');
    const sent = newMessageId();
    await recordedBySend(sent);
    assert.equal((await run({ messageId: sent, event: 'teleported' })).applied, 'ignored_older');
    assert.equal((await rowOf(db, sent))?.status, 'sent');
  });

  test('message id kept verbatim (angle brackets), trimmed; event lower-cased', async () => {
    const messageId = newMessageId();
    await recordedBySend(messageId);
    const result = await run({ messageId: `  ${messageId}\n`, event: ' Delivered ' });
    assert.deepEqual(result, { target: 'production', messageId, event: 'delivered', applied: 'updated' });
    assert.equal((await rowOf(db, messageId))?.status, 'delivered');
  });

  test('bad payloads are PayloadErrors naming the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{ messageId: '   ', event: 'delivered' }, /messageId/],
      [{ messageId: newMessageId() }, /event/],
      [{ messageId: newMessageId(), event: 'delivered', target: 'dev' }, /target/],
      [{ messageId: newMessageId(), event: 'delivered', provider: 'sendgrid' }, /provider/],
      [{ messageId: newMessageId(), event: 'delivered', occurredAt: 'yesterday' }, /occurredAt/],
    ];
    for (const [payload, field] of cases) {
      await assert.rejects(runJobInline(emailStatus, payload, harness.deps), (error: unknown) => {
        assert.ok(error instanceof PayloadError, String(error));
        assert.match(error.message, field);
        return true;
      });
    }
  });

  test('target staging writes the staging database only', async () => {
    const messageId = newMessageId();
    const result = await run({ messageId, event: 'delivered', target: 'staging' });
    assert.deepEqual(result, { target: 'staging', messageId, event: 'delivered', applied: 'inserted' });
    assert.equal((await rowOf(staging.db, messageId))?.status, 'delivered');
    assert.equal(await rowOf(db, messageId), undefined);
  });

  test('counts every event by provider and outcome; unknown ids and unknown events as anomalies', async () => {
    const beforeEvents = await counter('worker.email_status.events');
    const beforeAnomalies = await counter('worker.email_status.anomalies');
    const known = newMessageId();
    await recordedBySend(known);
    await run({ messageId: known, event: 'delivered', provider: 'brevo' }); // updated
    await run({ messageId: known, event: 'request', provider: 'brevo' }); // ignored_older
    await run({ messageId: known, event: 'hard_bounce', provider: 'brevo' }); // updated
    await run({ messageId: known, event: 'clicked', provider: 'mailgun' }); // ignored_final
    await run({ messageId: newMessageId(), event: 'delivered', provider: 'mailgun' }); // inserted, unknown message
    await run({ messageId: newMessageId(), event: 'teleported' }); // inserted, unknown message and event
    assert.deepEqual(growth(beforeEvents, await counter('worker.email_status.events')), {
      'updated/brevo': 2,
      'ignored_older/brevo': 1,
      'ignored_final/mailgun': 1,
      'inserted/mailgun': 1,
      'inserted/unknown': 1,
    });
    assert.deepEqual(growth(beforeAnomalies, await counter('worker.email_status.anomalies')), {
      'unknown_message/mailgun': 1,
      'unknown_message/unknown': 1,
      'unknown_event/unknown': 1,
    });
  });

  test('concurrency: 20 events in random order, applied in parallel, always end at the highest rank', async () => {
    // Enough connections that the 20 statements really run side by side.
    const targets = openTargets(harness.config.targets, 20);
    const parallel = { ...harness.deps, targets };
    const run = (payload: EmailStatusPayloadInput) => runJobInline(emailStatus, payload, parallel);
    try {
      const events = ['request', 'deferred', 'soft_bounce', 'delivered', 'opened', 'unique_opened', 'proxy_open', 'click', 'unsubscribed'];
      for (let round = 0; round < 8; round += 1) {
        const messageId = newMessageId();
        const withoutRow = round % 2 === 0; // half the rounds race on the insert as well
        if (!withoutRow) await recordedBySend(messageId);
        const batch = Array.from({ length: 20 }, (_, i) => events[i % events.length]!).sort(() => Math.random() - 0.5);
        const results = await Promise.all(batch.map((event) => run({ messageId, event })));
        assert.equal((await rowOf(db, messageId))?.status, 'unsubscribed', `round ${round}: ${batch.join(',')}`);
        assert.equal(results.filter((r) => r.applied === 'inserted').length, withoutRow ? 1 : 0);
      }
      // With a final state in the mix, the final one wins whatever the order.
      for (let round = 0; round < 4; round += 1) {
        const messageId = newMessageId();
        await recordedBySend(messageId);
        const batch = [...Array.from({ length: 19 }, (_, i) => events[i % events.length]!), 'hard_bounce'].sort(() => Math.random() - 0.5);
        await Promise.all(batch.map((event) => run({ messageId, event })));
        assert.equal((await rowOf(db, messageId))?.status, 'hard_bounce', batch.join(','));
      }
    } finally {
      await targets.destroy();
    }
  });
});

describe('the rank table', () => {
  test('finals are exactly the terminal events', () => {
    const finals = Object.keys(deliveryRanks).filter(isFinal).sort();
    assert.deepEqual(finals, ['blocked', 'complained', 'hard_bounce', 'invalid_email', 'permanent_fail', 'spam']);
    assert.equal(rankOf('nonsense'), 0);
    assert.ok(rankOf('sent') > 0 && rankOf('sent') < rankOf('delivered'));
    assert.ok(rankOf('delivered') < rankOf('opened') && rankOf('opened') < rankOf('click'));
    assert.ok(Object.values(deliveryRanks).every((rank) => rank <= FINAL_RANK));
  });
});
