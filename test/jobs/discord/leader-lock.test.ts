/** The Gateway leader election (issue 11) against the real PostgreSQL of the tests. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { advisoryLockKey, GATEWAY_LOCK_NAME, startLeaderElection, type LeaderElection } from '../../../src/jobs/discord/gateway/leader-lock.ts';
import { waitFor } from './support/gateway-fixtures.ts';

const log = pino({ level: 'silent' });
const RETRY_MS = 300;
/** Connecting to a local PostgreSQL and a scheduling hiccup. */
const SLACK_MS = 1500;

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase({ empty: true });
});
after(async () => {
  await database?.drop();
});

interface Candidate {
  readonly name: string;
  readonly election: LeaderElection;
  /** What the callbacks saw, in order. */
  readonly events: string[];
  leading: boolean;
}

function candidate(name: string, lockName: string, retryMs = RETRY_MS): Candidate {
  const self: Candidate = {
    name,
    events: [],
    leading: false,
    election: startLeaderElection({
      url: database.url,
      retryMs,
      log,
      lockName,
      applicationName: `leader-test-${name}`,
      onLeader: async () => {
        self.events.push('leader');
        self.leading = true;
      },
      onFollower: async () => {
        self.events.push('follower');
        self.leading = false;
      },
    }),
  };
  return self;
}

/** Each test its own lock, so the tests never see each other's holders. */
let locks = 0;
const lockName = () => `${GATEWAY_LOCK_NAME}:test:${process.pid}:${(locks += 1)}`;

async function stopAll(...candidates: Candidate[]): Promise<void> {
  await Promise.all(candidates.map((one) => one.election.stop()));
}

test('the key is a fixed signed 64-bit value derived from the name', () => {
  assert.equal(advisoryLockKey(GATEWAY_LOCK_NAME), advisoryLockKey('trademachine-worker:discord-gateway'));
  assert.notEqual(advisoryLockKey(GATEWAY_LOCK_NAME), advisoryLockKey(`${GATEWAY_LOCK_NAME}x`));
  const key = BigInt(advisoryLockKey(GATEWAY_LOCK_NAME));
  assert.ok(key >= -(2n ** 63n) && key < 2n ** 63n);
});

test('two elections on separate connections: exactly one leads; it stays so across checks', async () => {
  const name = lockName();
  const a = candidate('a', name);
  const b = candidate('b', name);
  try {
    await waitFor(() => a.leading || b.leading, 3000, 'a leader');
    // Several retry periods: the follower keeps trying and keeps failing; the leader keeps its lock.
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS * 4));
    assert.equal([a, b].filter((one) => one.leading).length, 1);
    assert.equal([a, b].filter((one) => one.election.isLeader()).length, 1);
    assert.deepEqual([...a.events, ...b.events], ['leader']);
    // The lock is held by a backend of the leader's own connection.
    const { rows } = await database.pool.query<{ application_name: string }>(
      `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND l.objid = ($1::bigint & 4294967295)::oid`,
      [advisoryLockKey(name)],
    );
    const leader = a.leading ? 'a' : 'b';
    assert.deepEqual(rows.map((row) => row.application_name), [`leader-test-${leader}`]);
  } finally {
    await stopAll(a, b);
  }
});

test('a follower whose connection is cut reconnects and keeps trying', async () => {
  const name = lockName();
  const a = candidate('a', name);
  await waitFor(() => a.leading, 3000, 'a leads');
  const b = candidate('b', name);
  try {
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS * 2));
    await database.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'leader-test-b'`);
    await waitFor(async () => {
      const { rows } = await database.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'leader-test-b'`);
      return rows[0]?.n === 1;
    }, RETRY_MS * 3 + SLACK_MS, 'b on a new connection');
    assert.equal(b.leading, false);
    await a.election.stop();
    await waitFor(() => b.leading, RETRY_MS + SLACK_MS, 'b takes over on its new connection');
  } finally {
    await stopAll(a, b);
  }
});

test('stop: the leader steps down and releases; the other takes over within retryMs + slack', async () => {
  const name = lockName();
  const a = candidate('a', name);
  await waitFor(() => a.leading, 3000, 'a leads');
  const b = candidate('b', name);
  try {
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS * 2));
    assert.equal(b.leading, false);
    const stoppedAt = performance.now();
    await a.election.stop();
    assert.deepEqual(a.events, ['leader', 'follower']);
    assert.equal(a.election.isLeader(), false);
    await waitFor(() => b.leading, RETRY_MS + SLACK_MS, 'b takes over');
    const took = performance.now() - stoppedAt;
    assert.ok(took <= RETRY_MS + SLACK_MS, `took over after ${took.toFixed(0)} ms`);
  } finally {
    await stopAll(a, b);
  }
});

test("pg_terminate_backend of the leader's connection: it steps down at once and the other takes over", async () => {
  const name = lockName();
  // a checks its connection only every 10 s: stepping down within 500 ms shows it reacts to the loss itself.
  const a = candidate('a', name, 10_000);
  await waitFor(() => a.leading, 3000, 'a leads');
  const b = candidate('b', name);
  try {
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS * 2));
    assert.equal(b.leading, false);
    const { rows } = await database.pool.query<{ terminated: boolean }>(
      `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE application_name = 'leader-test-a'`,
    );
    assert.deepEqual(rows, [{ terminated: true }]);
    const killedAt = performance.now();
    await waitFor(() => !a.leading, 500, 'a steps down at once');
    await waitFor(() => b.leading, RETRY_MS + SLACK_MS, 'b takes over');
    const took = performance.now() - killedAt;
    assert.ok(took <= RETRY_MS + SLACK_MS, `took over after ${took.toFixed(0)} ms`);
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS * 3));
    assert.equal([a, b].filter((one) => one.leading).length, 1);
    assert.deepEqual(a.events, ['leader', 'follower']);
  } finally {
    await stopAll(a, b);
  }
});
