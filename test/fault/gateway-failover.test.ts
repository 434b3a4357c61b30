/**
 * Gateway leader failover between two real worker processes (issue 11): exactly one holds the
 * Gateway connection; kill -9 it and the other connects within leaderRetryMs + connection time.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { startFakeDiscord, type FakeDiscord } from '../../dev/jobs/discord/fake-discord.ts';
import { startFakeGateway, type FakeGateway } from '../../dev/jobs/discord/fake-gateway.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startNodeScript } from '../support/spawn-node.ts';
import { commandInteraction, waitFor } from '../jobs/discord/support/gateway-fixtures.ts';

const RETRY_MS = 1000;
/** The bound asserted: a follower's next try, plus connecting to PostgreSQL and to the Gateway. */
const BOUND_MS = RETRY_MS + 5000;

interface Worker {
  readonly child: ChildProcessWithoutNullStreams;
  /** Its last reported state. */
  state: { pid: number; leader: boolean; connected: boolean; sessions: number } | undefined;
  stderr: string;
}

let database: TestDatabase;
let fake: FakeDiscord;
let gateway: FakeGateway;
const workers: Worker[] = [];

function startWorker(): Worker {
  const child = startNodeScript('test/jobs/discord/support/gateway-worker.ts', [], {
    DATABASE_URL: database.url,
    DISCORD_API_BASE_URL: fake.apiBaseUrl,
    DISCORD_BOT_TOKEN: fake.token,
    DISCORD_LEADER_RETRY_MS: String(RETRY_MS),
  });
  const worker: Worker = { child, state: undefined, stderr: '' };
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') worker.state = JSON.parse(line) as Worker['state'];
  });
  child.stderr.on('data', (chunk: Buffer) => (worker.stderr += chunk.toString()));
  workers.push(worker);
  return worker;
}

const alive = (worker: Worker) => worker.child.exitCode === null && worker.child.signalCode === null;

before(async () => {
  database = await createTestDatabase({ empty: true });
  fake = await startFakeDiscord();
  gateway = await startFakeGateway({ token: fake.token, heartbeatIntervalMs: 1000 });
  fake.setGatewayUrl(gateway.url);
});
after(async () => {
  for (const worker of workers) if (alive(worker)) worker.child.kill('SIGKILL');
  await Promise.all(workers.map((worker) => (alive(worker) ? new Promise((resolve) => worker.child.once('exit', resolve)) : undefined)));
  await gateway?.close();
  await fake?.close();
  await database?.drop();
});

async function answeredBy(name: string): Promise<string> {
  const interaction = commandInteraction(name);
  fake.expectInteraction(interaction.id, interaction.token);
  gateway.dispatchInteraction(interaction);
  await waitFor(() => fake.interactionAnswers().some((answer) => answer.interactionId === interaction.id), 3000, `the answer to ${name}`);
  const answer = fake.interactionAnswers().find((one) => one.interactionId === interaction.id);
  const content = (answer?.body as { data?: { content?: string } } | undefined)?.data?.content ?? '';
  return /from (\d+)$/.exec(content)?.[1] ?? `unexpected answer ${content}`;
}

test('two worker processes: exactly one Gateway connection; kill -9 the leader and the other connects within the bound', async () => {
  const first = startWorker();
  const second = startWorker();
  const describe = () => `workers: ${JSON.stringify(workers.map((worker) => worker.state))}; stderr: ${workers.map((worker) => worker.stderr).join('\n')}`;
  await waitFor(() => gateway.sessions() === 1 && workers.some((worker) => worker.state?.connected === true), 15_000, `a leader's Gateway session (${describe()})`);
  // Several retry periods: the follower keeps trying, and never opens a second connection.
  await new Promise((resolve) => setTimeout(resolve, RETRY_MS * 3));
  assert.equal(gateway.connections(), 1, describe());
  assert.equal(gateway.identifies.length, 1, describe());
  const leaders = [first, second].filter((worker) => worker.state?.leader === true);
  assert.equal(leaders.length, 1, describe());
  const [leader] = leaders;
  const follower = leader === first ? second : first;
  assert.ok(leader && follower.state);
  assert.equal(follower.state.connected, false);
  assert.equal(await answeredBy('my-trades'), String(leader.child.pid));

  const exited = new Promise((resolve) => leader.child.once('exit', resolve));
  const killedAt = performance.now();
  leader.child.kill('SIGKILL');
  await exited;
  await waitFor(() => gateway.identifies.length === 2 && follower.state?.connected === true, BOUND_MS + 2000, `the follower's Gateway session (${describe()})`);
  const identifiedAfter = (gateway.identifies[1]?.at ?? Infinity) - killedAt;
  const connectedAfter = performance.now() - killedAt;
  console.log(`gateway failover: kill -9 of the leader → the other process identified after ${identifiedAfter.toFixed(0)} ms (session ready seen by the test after ${connectedAfter.toFixed(0)} ms); leaderRetryMs ${RETRY_MS}`);
  assert.ok(identifiedAfter < BOUND_MS, `failover took ${identifiedAfter.toFixed(0)} ms, over ${BOUND_MS} ms`);
  assert.equal(follower.state?.leader, true);
  assert.equal(gateway.connections(), 1, describe());
  assert.equal(await answeredBy('trade-history'), String(follower.child.pid));
});
