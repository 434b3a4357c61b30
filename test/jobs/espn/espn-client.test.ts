import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import type { Config } from '../../../src/config.ts';
import { createEspnClient, type EspnClient, type EspnClientOptions } from '../../../src/jobs/espn/espn-client.ts';
import { PermanentJobError, RetryableJobError, serializeError } from '../../../src/jobs/outcomes.ts';
import { startFakeEspn, type FakeEspn } from '../../../dev/jobs/espn/fake-espn.ts';
import { findFreePort } from '../../support/free-port.ts';
import { baseballLeague, recordedHockeyLeague } from '../../fixtures/espn/espn-fixtures.ts';

const S2 = 'AEBsecretS2tokenValue%2Bwith%2Fescapes1234567890';
const SWID = '{0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D}';
/** Fast retries so the suite stays quick; the real defaults are checked separately. */
const fastRetries: EspnClientOptions = { retries: 2, minRetryDelayMs: 10, maxRetryDelayMs: 2000 };

let fake: FakeEspn;
const clients: EspnClient[] = [];

function espnConfig(overrides: Partial<Config['espn']> = {}): Config['espn'] {
  return { leagueId: 123456, seasonOverride: 2025, baseUrl: fake.baseUrl, s2: undefined, swid: undefined, timeoutMs: 2000, syncOwnership: false, playersPagePauseMs: 0, ...overrides };
}

function client(overrides: Partial<Config['espn']> = {}, options: EspnClientOptions = fastRetries): EspnClient {
  const created = createEspnClient(espnConfig(overrides), options);
  clients.push(created);
  return created;
}

/** Runs fetchTeams expecting a rejection, and returns the error for closer assertions. */
async function failure(espn: EspnClient, signal?: AbortSignal): Promise<Error> {
  try {
    await espn.fetchTeams(signal);
  } catch (error) {
    assert.ok(error instanceof Error);
    return error;
  }
  assert.fail('fetchTeams resolved; expected it to reject');
}

before(async () => {
  fake = await startFakeEspn();
});

beforeEach(() => {
  fake.reset();
  fake.setLeague({ season: 2025, leagueId: 123456, body: baseballLeague() });
});

after(async () => {
  await Promise.all(clients.map((each) => each.close()));
  await fake.close();
});

describe('parsing', () => {
  test('the real recorded league: names from location + nickname, raw kept as received', async () => {
    const recorded = recordedHockeyLeague();
    fake.setLeague({ season: 2020, leagueId: 40384, body: recorded });
    const teams = await client({ seasonOverride: 2020, leagueId: 40384 }).fetchTeams();

    assert.equal(teams.length, 10);
    assert.deepEqual(
      teams.map((team) => [team.id, team.name, team.abbrev]),
      [
        [1, 'Tyutin in the Staal', 'TITS'],
        [2, 'Barkko Ruutu', 'BOOB'],
        [3, 'Fast and Fleuryious', 'FF'],
        [4, 'Eichel Scott Paper Company', 'ESPC'],
        [5, 'Turds of Misery', 'TURD'],
        [6, 'Lafleur Power -', 'DMAc'],
        [7, 'Drop Trou and Shattenkirk', 'FFS'],
        [8, 'Took a Dump and Chased', 'POOP'],
        [9, 'The Return of the Captain', '19C'],
        [10, '2 Minutes for.. Rooping?', 'ROOP'],
      ],
    );
    // Every field ESPN sent survives, including ones the schema does not know (roster, record…).
    assert.deepEqual(teams[0]?.raw, recorded.teams[0]);
    assert.ok(Array.isArray((teams[0]?.raw.roster as { entries: unknown[] }).entries));
  });

  test('a 2025 baseball league: names from `name`, the mTeam view requested, no cookie for a public league', async () => {
    const teams = await client().fetchTeams();

    assert.equal(teams.length, 10);
    assert.deepEqual(teams[0] && { id: teams[0].id, name: teams[0].name, abbrev: teams[0].abbrev }, { id: 1, name: 'Bronx Bombers Ball Club', abbrev: 'BBB' });
    assert.equal(teams[9]?.name, 'Walk-Off Warriors');
    assert.deepEqual(teams[3]?.raw, baseballLeague().teams[3]);
    assert.equal(fake.requests.length, 1);
    const [request] = fake.requests;
    assert.equal(request?.path, '/apis/v3/games/flb/seasons/2025/segments/0/leagues/123456');
    assert.deepEqual(request?.query.getAll('view'), ['mTeam']);
    assert.equal(request?.headers.cookie, undefined);
  });

  test('`name` wins over location + nickname, and blank parts are trimmed away', async () => {
    const body = baseballLeague();
    body.teams[0] = { ...body.teams[0], id: 1, name: '  Renamed  ', location: 'Old', nickname: 'Name' };
    body.teams[1] = { ...body.teams[1], id: 2, name: undefined, location: 'Lonely ', nickname: '  ' };
    fake.setLeague({ season: 2025, leagueId: 123456, body });
    const teams = await client().fetchTeams();
    assert.equal(teams[0]?.name, 'Renamed');
    assert.equal(teams[1]?.name, 'Lonely');
  });
});

describe('private leagues', () => {
  test('sends both cookies and gets the league', async () => {
    fake.setLeague({ season: 2025, leagueId: 123456, body: baseballLeague(), cookies: { s2: S2, swid: SWID } });
    const teams = await client({ s2: S2, swid: SWID }).fetchTeams();
    assert.equal(teams.length, 10);
    assert.equal(fake.requests[0]?.headers.cookie, `espn_s2=${S2}; SWID=${SWID}`);
  });

  test('401 without cookies is permanent, with ESPN’s message and error type', async () => {
    fake.setLeague({ season: 2025, leagueId: 123456, body: baseballLeague(), cookies: { s2: S2, swid: SWID } });
    const error = await failure(client());
    assert.ok(error instanceof PermanentJobError);
    assert.equal(error.code, 'ESPN_UNAUTHORIZED');
    assert.match(error.message, /You are not authorized to view this League\./);
    assert.match(error.message, /AUTH_LEAGUE_NOT_VISIBLE/);
    assert.equal(fake.requests.length, 1, 'a 401 is not retried');
  });

  test('wrong cookies: the secrets appear nowhere in the error, its causes or its inspection', async () => {
    fake.setLeague({ season: 2025, leagueId: 123456, body: baseballLeague(), cookies: { s2: 'the-right-one', swid: SWID } });
    const error = await failure(client({ s2: S2, swid: SWID }));
    assert.ok(error instanceof PermanentJobError);
    assert.equal(error.code, 'ESPN_UNAUTHORIZED');
    assert.ok(fake.requests[0]?.headers.cookie?.includes(S2), 'the cookie was sent');
    const everything = [error.message, JSON.stringify(serializeError(error)), inspect(error, { depth: 20 })].join('\n');
    assert.ok(!everything.includes(S2), 'espn_s2 leaked');
    assert.ok(!everything.includes(SWID), 'SWID leaked');
  });
});

describe('refusals', () => {
  test('an unknown league is ESPN_LEAGUE_NOT_FOUND with ESPN’s message', async () => {
    const error = await failure(client({ leagueId: 999 }));
    assert.ok(error instanceof PermanentJobError);
    assert.equal(error.code, 'ESPN_LEAGUE_NOT_FOUND');
    assert.match(error.message, /league 999 season 2025/);
    assert.match(error.message, /Not Found \(GENERAL_NOT_FOUND\)/);
    assert.equal(fake.requests.length, 1);
  });

  test('403 is ESPN_FORBIDDEN and 400 is ESPN_REJECTED, neither retried', async () => {
    fake.injectFaults({ kind: 'status', status: 403 }, { kind: 'status', status: 400 });
    const forbidden = await failure(client());
    assert.ok(forbidden instanceof PermanentJobError);
    assert.equal(forbidden.code, 'ESPN_FORBIDDEN');
    assert.match(forbidden.message, /ESPN says: Forbidden/);
    const rejected = await failure(client());
    assert.ok(rejected instanceof PermanentJobError);
    assert.equal(rejected.code, 'ESPN_REJECTED');
    assert.match(rejected.message, /400/);
    assert.equal(fake.requests.length, 2);
  });

  test('no league id configured: ESPN_NOT_CONFIGURED and no request', async () => {
    const error = await failure(client({ leagueId: undefined }));
    assert.ok(error instanceof PermanentJobError);
    assert.equal(error.code, 'ESPN_NOT_CONFIGURED');
    assert.equal(error.message, 'ESPN_LEAGUE_ID is not set');
    assert.equal(fake.requests.length, 0);
  });
});

describe('retries', () => {
  test('500 twice then 200 succeeds after two retries', async () => {
    fake.injectFaults({ kind: 'status', status: 500, times: 2 });
    const teams = await client().fetchTeams();
    assert.equal(teams.length, 10);
    assert.equal(fake.requests.length, 3);
  });

  test('5xx that never ends is retryable ESPN_UNAVAILABLE after 1 + retries attempts', async () => {
    fake.injectFaults({ kind: 'status', status: 503, times: 50 });
    const error = await failure(client());
    assert.ok(error instanceof RetryableJobError);
    assert.equal(error.code, 'ESPN_UNAVAILABLE');
    assert.match(error.message, /503/);
    assert.match(error.message, /Service Unavailable/);
    assert.equal(fake.requests.length, 3);
  });

  test('429 waits for Retry-After before trying again', async () => {
    fake.injectFaults({ kind: 'status', status: 429, retryAfter: '1' });
    const teams = await client().fetchTeams();
    assert.equal(teams.length, 10);
    assert.equal(fake.requests.length, 2);
    const [first, second] = fake.requests;
    assert.ok(first && second);
    const waited = second.at - first.at;
    assert.ok(waited >= 950, `waited ${Math.round(waited)} ms; Retry-After asked for 1000 (min delay is 10)`);
  });

  test('exponential backoff: delays double from minRetryDelayMs', async () => {
    fake.injectFaults({ kind: 'status', status: 502, times: 3 });
    await client({}, { retries: 3, minRetryDelayMs: 100, maxRetryDelayMs: 5000 }).fetchTeams();
    const at = fake.requests.map((request) => request.at);
    assert.equal(at.length, 4);
    const gaps = at.slice(1).map((time, index) => time - (at[index] ?? 0));
    assert.ok((gaps[0] ?? 0) >= 95 && (gaps[1] ?? 0) >= 195 && (gaps[2] ?? 0) >= 395, `gaps ${gaps.map(Math.round).join(', ')}`);
  });
});

describe('transport failures', () => {
  test('no answer within timeoutMs is retryable ESPN_TIMEOUT', async () => {
    fake.injectFaults({ kind: 'delay', ms: 1500 });
    const error = await failure(client({ timeoutMs: 200 }));
    assert.ok(error instanceof RetryableJobError);
    assert.equal(error.code, 'ESPN_TIMEOUT');
    assert.match(error.message, /within 200 ms/);
  });

  test('nothing listening is retryable ESPN_UNREACHABLE', async () => {
    const port = await findFreePort();
    const error = await failure(client({ baseUrl: `http://127.0.0.1:${port}` }));
    assert.ok(error instanceof RetryableJobError);
    assert.equal(error.code, 'ESPN_UNREACHABLE');
    assert.match(error.message, /ECONNREFUSED/);
  });

  test('an aborted signal stops the request as ESPN_ABORTED', async () => {
    fake.injectFaults({ kind: 'delay', ms: 1500 });
    const error = await failure(client(), AbortSignal.timeout(50));
    assert.ok(error instanceof RetryableJobError);
    assert.equal(error.code, 'ESPN_ABORTED');
  });
});

describe('bad responses', () => {
  test('a body that is not JSON is permanent ESPN_BAD_RESPONSE', async () => {
    fake.injectFaults({ kind: 'garbage' });
    const error = await failure(client());
    assert.ok(error instanceof PermanentJobError);
    assert.equal(error.code, 'ESPN_BAD_RESPONSE');
    assert.match(error.message, /not JSON \(starts "<html><body>Down for maintenance/);
  });

  test('a wrong field is named by its JSON path', async () => {
    const body = baseballLeague();
    body.teams[3] = { ...body.teams[3], id: '4' as unknown as number };
    fake.setLeague({ season: 2025, leagueId: 123456, body });
    const error = await failure(client());
    assert.ok(error instanceof PermanentJobError);
    assert.equal(error.code, 'ESPN_BAD_RESPONSE');
    assert.match(error.message, /teams\[3\]\.id: expected number, received string/);
  });

  test('a team without any name, and a missing teams array, are named too', async () => {
    const body = baseballLeague();
    body.teams[7] = { id: 8, abbrev: 'PEN' };
    fake.setLeague({ season: 2025, leagueId: 123456, body });
    assert.match((await failure(client())).message, /teams\[7\]\.name: expected a non-empty name, or location and nickname/);

    fake.setLeague({ season: 2025, leagueId: 123456, body: { id: 123456, seasonId: 2025 } });
    assert.match((await failure(client())).message, /teams: expected array, received undefined/);
  });
});
