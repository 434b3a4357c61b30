/**
 * A whole worker with telemetry and /metrics, on its own database, talking to fake ESPN and fake
 * Brevo, and a way to run every registered job through the real queue. Shared by the telemetry
 * tests; one per test file (telemetry registers globally, once per process).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { pino } from 'pino';
import type { z } from 'zod';
import { jobs } from '../../src/jobs/index.ts';
import type { JobDefinition } from '../../src/jobs/define-job.ts';
import { startTelemetry, type Telemetry } from '../../src/telemetry/telemetry.ts';
import { registerWorkerMetrics } from '../../src/telemetry/worker-metrics.ts';
import { startWorker, type RunningWorker } from '../../src/worker.ts';
import { baseballLeagueWithExtraTeam } from '../fixtures/espn/espn-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startFakeBrevo, brevoFaults, type FakeBrevo } from '../support/fake-brevo.ts';
import { startFakeEspn, type FakeEspn } from '../../dev/jobs/espn/fake-espn.ts';
import { generatePlayerPool } from '../../dev/jobs/espn/generate-player-pool.ts';
import { testConfig } from '../support/test-config.ts';
import { startFakeSheets, type FakeSheets } from '../../dev/jobs/sheets/fake-sheets.ts';
import { buildMinorsSheet } from '../../dev/jobs/sheets/minors-sheet.ts';
import { buildDraftPicksSheet } from '../../dev/jobs/sheets/draft-picks-sheet.ts';
import { startFakeDiscord, type FakeDiscord } from '../../dev/jobs/discord/fake-discord.ts';
import { startFakeGateway, type FakeGateway } from '../../dev/jobs/discord/fake-gateway.ts';
import { commandInteraction, GATEWAY_TEST_APP, GATEWAY_TEST_GUILD, waitFor } from '../jobs/discord/support/gateway-fixtures.ts';

const LEAGUE_ID = 123456;
const SEASON = 2025;
const FRONTEND = 'https://app.example.test';
const DISCORD_CHANNEL = '1400000000000000001';

export interface MeteredWorker {
  readonly worker: RunningWorker;
  readonly metricsUrl: string;
  readonly espn: FakeEspn;
  readonly brevo: FakeBrevo;
  readonly sheets: FakeSheets;
  readonly discord: FakeDiscord;
  /** The Gateway the worker's slash commands connect to. */
  readonly gateway: FakeGateway;
  readonly userId: string;
  /** Another owner, with DMs off (the default settings). */
  readonly otherUserId: string;
  /** A submitted trade between the first two teams, for the Discord jobs. */
  readonly tradeId: string;
  /** The current /metrics text. */
  scrape(): Promise<string>;
  stop(): Promise<void>;
}

export async function startMeteredWorker(): Promise<MeteredWorker> {
  const database: TestDatabase = await createTestDatabase();
  const espn = await startFakeEspn();
  const brevo = await startFakeBrevo({ apiKey: 'test-key' });
  espn.setLeague({ season: SEASON, leagueId: LEAGUE_ID, body: baseballLeagueWithExtraTeam() });
  // Two pages for espn.players-sync, rostered over the ten seeded teams.
  espn.setPlayerPool(SEASON, LEAGUE_ID, generatePlayerPool(150, { teamCount: 10, rosterSize: 5 }));
  const userId = randomUUID();
  const otherUserId = randomUUID();
  const teamIds = Array.from({ length: 10 }, () => randomUUID());
  await database.db
    .insertInto('team')
    .values(teamIds.map((id, index) => ({ id, espnId: index + 1, name: `Old name ${index + 1}`, status: '1' as const })))
    .execute();
  await database.db.insertInto('user').values({ id: userId, email: 'casey@example.test', displayName: 'Casey', teamId: teamIds[0], csvName: 'Owner 1' }).execute();
  // The league's two sheets: 20 owners in 4 groups, a prospect each; the ten teams' owners by csvName.
  await database.db
    .insertInto('user')
    .values(teamIds.slice(1).map((teamId, index) => ({ id: index === 0 ? otherUserId : randomUUID(), email: `owner${index + 2}@example.test`, displayName: `Owner ${index + 2}`, teamId, csvName: `Owner ${index + 2}` })))
    .execute();
  // A submitted trade between the first two teams, announced and DMed to the first user (DMs on).
  const tradeId = randomUUID();
  await database.db.insertInto('trade').values({ id: tradeId, status: '6', submittedAt: new Date() }).execute();
  await database.db
    .insertInto('trade_participant')
    .values([
      { id: randomUUID(), tradeId, teamId: teamIds[0], participantType: '1' as const },
      { id: randomUUID(), tradeId, teamId: teamIds[1], participantType: '2' as const },
    ])
    .execute();
  await database.db
    .updateTable('user')
    .set({ discordUserId: '123456789012345678', userSettings: JSON.stringify({ notifications: { tradeActionDiscordDm: true } }) })
    .where('id', '=', userId)
    .execute();
  const discord = await startFakeDiscord();
  discord.addChannel(DISCORD_CHANNEL, 'trades');
  const gateway = await startFakeGateway({ token: discord.token, applicationId: GATEWAY_TEST_APP });
  discord.setGatewayUrl(gateway.url);
  const sheets = await startFakeSheets();
  const groups = Array.from({ length: 4 }, (_, group) => ({
    owners: Array.from({ length: 5 }, (_, block) => `Owner ${group * 5 + block + 1}`) as unknown as readonly [string, string, string, string, string],
  }));
  sheets.setSheet('minors', '806978055', buildMinorsSheet({
    groups: groups.map(({ owners }) => ({ owners, players: owners.map((owner) => [{ name: `Prospect of ${owner}`, leagueLevel: 'HM' as const, position: 'SS', mlbTeam: 'BAL' }]) })),
  }));
  sheets.setSheet('picks', '142978697', buildDraftPicksSheet({ groups }));

  const telemetry: Telemetry = startTelemetry();
  const config = testConfig(database.url, {
    HTTP_PORT: '0',
    BUILD_COMMIT: '1f2fd3b0c0ffee5e1f2fd3b0c0ffee5e1f2fd3b0',
    ESPN_LEAGUE_ID: String(LEAGUE_ID),
    ESPN_SEASON: String(SEASON),
    ESPN_BASE_URL: espn.baseUrl,
    ESPN_TIMEOUT_MS: '5000',
    ESPN_PLAYERS_PAGE_PAUSE_MS: '0',
    EMAIL_PROVIDER: 'brevo',
    BREVO_API_KEY: 'test-key',
    BREVO_BASE_URL: brevo.baseUrl,
    EMAIL_REDIRECT_ADDRESS: 'redirect@example.test',
    FRONTEND_URL: FRONTEND,
    SHEETS_BASE_URL: sheets.url,
    MINOR_LEAGUE_SHEET_ID: 'minors',
    DRAFT_PICKS_SHEET_ID: 'picks',
    DISCORD_BOT_TOKEN: discord.token,
    DISCORD_API_BASE_URL: discord.apiBaseUrl,
    DISCORD_CHANNEL_ID_PRODUCTION: DISCORD_CHANNEL,
    DISCORD_APPLICATION_ID: GATEWAY_TEST_APP,
    DISCORD_GUILD_ID: GATEWAY_TEST_GUILD,
    DISCORD_LEADER_RETRY_MS: '500',
  });
  const worker = await startWorker({
    config,
    log: pino({ level: 'silent' }),
    routes: [
      (request, response) => {
        if (request.method !== 'GET' || new URL(request.url ?? '/', 'http://worker').pathname !== '/metrics') return false;
        telemetry.handleMetrics(request, response);
        return true;
      },
    ],
    queueTuning: { monitorIntervalSeconds: 1, superviseIntervalSeconds: 1 },
  });
  const unregister = registerWorkerMetrics(worker);
  const metricsUrl = `${worker.http.url}/metrics`;
  return {
    worker,
    metricsUrl,
    espn,
    brevo,
    sheets,
    discord,
    gateway,
    userId,
    otherUserId,
    tradeId,
    scrape: async () => (await fetch(metricsUrl)).text(),
    stop: async () => {
      unregister();
      await worker.stop();
      await telemetry.shutdown();
      await Promise.all([espn.close(), brevo.close(), sheets.close(), discord.close(), gateway.close()]);
      await database.drop();
    },
  };
}

/**
 * A payload that succeeds, per registered job. A job added to the registry without one here fails
 * the telemetry tests, so every job's metrics are always scraped and checked.
 */
export function samplePayloads(userId: string, tradeId: string): Record<string, object> {
  return {
    'email.status': { messageId: '<metered@example.test>', event: 'delivered', provider: 'brevo' },
    'discord.trade-announcement': { tradeId },
    'discord.trade-dm': { kind: 'request', tradeId, recipientUserId: userId, acceptUrl: `${FRONTEND}/trades/${tradeId}/accept`, declineUrl: `${FRONTEND}/trades/${tradeId}/decline` },
    'espn.team-sync': { databaseScope: 'production' },
    'espn.players-sync': { databaseScope: 'production' },
    'sheets.minors-sync': { databaseScope: 'production' },
    'sheets.draft-picks-sync': { databaseScope: 'production' },
    'email.send': { type: 'password_reset', userId, resetUrl: `${FRONTEND}/reset?token=abc` },
  };
}

type QueueState = 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';

async function waitForState(worker: RunningWorker, name: string, id: string, states: readonly QueueState[]): Promise<void> {
  const deadline = Date.now() + 20_000;
  let state: string | undefined;
  while (Date.now() < deadline) {
    state = (await worker.boss.getJobById(name, id))?.state;
    if (state && (states as readonly string[]).includes(state)) return;
    await sleep(100);
  }
  assert.fail(`job ${name} ${id} did not reach ${states.join('/')} in 20 s (state: ${state})`);
}

async function sendAndWait(worker: RunningWorker, name: string, payload: object, states: readonly QueueState[]): Promise<void> {
  const id = await worker.boss.send(name, payload);
  assert.ok(id, `${name} was queued`);
  await waitForState(worker, name, id, states);
}

/**
 * Runs every registered job through the queue with a good payload, then the failure outcomes:
 * an email the provider refuses with a 5xx (retried), and a payload its schema refuses (dead-lettered).
 */
export async function runEveryJob(metered: MeteredWorker, definitions: readonly JobDefinition<z.ZodType, unknown>[] = jobs): Promise<void> {
  const payloads = samplePayloads(metered.userId, metered.tradeId);
  // The announcement's post waits out one 429, so the rate-limit metric has a sample.
  metered.discord.injectFaults({ kind: 'rateLimit', retryAfter: 0.2, route: 'message' });
  for (const definition of definitions) {
    const payload = payloads[definition.name];
    assert.ok(payload, `test/telemetry/metered-worker.ts has a sample payload for ${definition.name}`);
    await sendAndWait(metered.worker, definition.name, payload, ['completed']);
  }
  metered.brevo.failNext(1, brevoFaults.serverError(503));
  await sendAndWait(metered.worker, 'email.send', payloads['email.send'] ?? {}, ['retry']);
  await sendAndWait(metered.worker, 'email.send', { type: 'carrier-pigeon' }, ['failed']);
  // A slash command over the Gateway the worker leads: the command and Gateway metrics get samples.
  await waitFor(() => metered.gateway.sessions() === 1, 10_000, 'the worker to open its Gateway session');
  const interaction = commandInteraction('my-trades');
  metered.discord.expectInteraction(interaction.id, interaction.token);
  metered.gateway.dispatchInteraction(interaction);
  await waitFor(() => metered.discord.interactionAnswers().length > 0, 5000, 'the command to be answered');
  // The fake drops the session with a resumable code: the library resumes, and the reconnect is counted.
  metered.gateway.closeAll(4000);
  await waitFor(() => metered.gateway.resumes.length > 0 && metered.gateway.sessions() === 1, 10_000, 'the Gateway session to resume');
  // A DM to an owner with DMs off (the default) completes skipped, counted.
  await sendAndWait(metered.worker, 'discord.trade-dm', { ...payloads['discord.trade-dm'], recipientUserId: metered.otherUserId }, ['completed']);
  collectGarbage();
}

/**
 * A real worker collects garbage within seconds; a short test may not, and the GC-duration
 * histogram only has series once one ran. Node's documented way to reach gc() without a flag.
 */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
