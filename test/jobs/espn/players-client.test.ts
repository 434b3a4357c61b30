import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fetchPlayerPages,
  playerFilterHeader,
  retryAfterMs,
  type PlayerPage,
  type PlayerPagingWarning,
  type PlayersClientOptions,
} from '../../../src/jobs/espn/players-client.ts';
import { leagueUrl } from '../../../src/jobs/espn/espn-client.ts';
import { PermanentJobError, RetryableJobError } from '../../../src/jobs/outcomes.ts';
import { startFakeEspn, type FakeEspn, type FakePlayerPoolOptions } from '../../../dev/jobs/espn/fake-espn.ts';
import { generatePlayerPool } from '../../../dev/jobs/espn/generate-player-pool.ts';

const SEASON = 2025;
const LEAGUE = 545;
const S2 = 'AEBsecretS2tokenValue%2Bwith%2Fescapes1234567890';
const SWID = '{0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D}';

let fake: FakeEspn;

before(async () => {
  fake = await startFakeEspn();
});

beforeEach(() => {
  fake.reset();
});

after(async () => {
  await fake.close();
});

function pool(count: number, options?: FakePlayerPoolOptions): void {
  fake.setPlayerPool(SEASON, LEAGUE, generatePlayerPool(count), options);
}

/** Options for the fake: no pause, tiny retry delays, warnings collected. */
function options(warnings: PlayerPagingWarning[] = [], overrides: Partial<PlayersClientOptions> = {}): PlayersClientOptions {
  return {
    baseUrl: fake.baseUrl,
    leagueId: LEAGUE,
    season: SEASON,
    timeoutMs: 2000,
    pauseBetweenPagesMs: 0,
    retryDelaysMs: [5, 5, 5],
    onWarning: (warning) => warnings.push(warning),
    ...overrides,
  };
}

async function collect(opts: PlayersClientOptions, signal?: AbortSignal): Promise<PlayerPage[]> {
  const pages: PlayerPage[] = [];
  for await (const page of fetchPlayerPages(opts, signal)) pages.push(page);
  return pages;
}

async function failure(opts: PlayersClientOptions, signal?: AbortSignal): Promise<Error> {
  try {
    await collect(opts, signal);
  } catch (error) {
    assert.ok(error instanceof Error);
    return error;
  }
  assert.fail('fetchPlayerPages finished; expected it to throw');
}

/** The offsets the client asked for, from the X-Fantasy-Filter header the fake received. */
function requestedOffsets(): number[] {
  return fake.requests.map((request) => {
    const header = request.headers['x-fantasy-filter'];
    assert.equal(typeof header, 'string');
    return (JSON.parse(header as string) as { players: { offset: number } }).players.offset;
  });
}

describe('paging', () => {
  test('250 players come in 3 pages of 100, 100, 50, in ESPN’s order, each with the total', async () => {
    const entries = generatePlayerPool(250);
    fake.setPlayerPool(SEASON, LEAGUE, entries);
    const warnings: PlayerPagingWarning[] = [];
    const pages = await collect(options(warnings));

    assert.deepEqual(
      pages.map((page) => [page.offset, page.players.length, page.total]),
      [
        [0, 100, 250],
        [100, 100, 250],
        [200, 50, 250],
      ],
    );
    assert.deepEqual(requestedOffsets(), [0, 100, 200]);
    const ids = pages.flatMap((page) => page.players.map((player) => player.id));
    assert.deepEqual(ids, entries.map((entry) => entry.id));
    assert.deepEqual(pages[2]?.players[49]?.raw, entries[249], 'the entry is kept as received');
    assert.deepEqual(warnings, []);
  });

  test('a total lower than the pool: paging stops at the total', async () => {
    pool(250, { count: 150 });
    const warnings: PlayerPagingWarning[] = [];
    const pages = await collect(options(warnings));
    assert.deepEqual(requestedOffsets(), [0, 100]);
    assert.deepEqual(pages.map((page) => page.total), [150, 150]);
    assert.deepEqual(warnings, []);
  });

  test('the total is read from every page, the latest wins', async () => {
    pool(450, { count: (offset) => (offset === 0 ? 450 : 250) });
    const pages = await collect(options());
    assert.deepEqual(requestedOffsets(), [0, 100, 200], 'the second page lowered the total to 250');
    assert.deepEqual(pages.map((page) => page.total), [450, 250, 250]);
  });

  test('no count header: one warning, and paging goes on past 100 to the short page', async () => {
    pool(250, { count: 'omit' });
    const warnings: PlayerPagingWarning[] = [];
    const pages = await collect(options(warnings));
    assert.deepEqual(pages.map((page) => [page.offset, page.players.length, page.total]), [
      [0, 100, undefined],
      [100, 100, undefined],
      [200, 50, undefined],
    ]);
    assert.deepEqual(warnings.map((warning) => [warning.code, warning.offset]), [['ESPN_COUNT_HEADER_MISSING', 0]]);
    assert.match(warnings[0]?.message ?? '', /players offset 0 \(page 1\)/);
  });

  test('an unparsable count header is reported like a missing one', async () => {
    pool(120, { count: 'garbage' });
    const warnings: PlayerPagingWarning[] = [];
    const pages = await collect(options(warnings));
    assert.equal(pages.length, 2);
    assert.deepEqual(warnings.map((warning) => warning.code), ['ESPN_COUNT_HEADER_MISSING']);
  });

  test('exactly 200 players and no count header: the third page is empty and ends it', async () => {
    pool(200, { count: 'omit' });
    const warnings: PlayerPagingWarning[] = [];
    const pages = await collect(options(warnings));
    assert.deepEqual(requestedOffsets(), [0, 100, 200]);
    assert.deepEqual(pages.map((page) => page.players.length), [100, 100], 'the empty page is not yielded');
    assert.deepEqual(warnings.map((warning) => warning.code), ['ESPN_COUNT_HEADER_MISSING']);
  });

  test('an empty page before the total stops with a warning instead of looping (§1.7)', async () => {
    pool(500, { emptyAt: [200] });
    const warnings: PlayerPagingWarning[] = [];
    const pages = await collect(options(warnings));
    assert.deepEqual(requestedOffsets(), [0, 100, 200]);
    assert.deepEqual(pages.map((page) => page.offset), [0, 100]);
    assert.deepEqual(warnings.map((warning) => [warning.code, warning.offset]), [['ESPN_EMPTY_PAGE_BEFORE_TOTAL', 200]]);
    assert.match(warnings[0]?.message ?? '', /before its total of 500/);
  });

  test('a total higher than the pool: the short page ends it, with a warning', async () => {
    pool(130, { count: 1000 });
    const warnings: PlayerPagingWarning[] = [];
    const pages = await collect(options(warnings));
    assert.deepEqual(pages.map((page) => page.players.length), [100, 30]);
    assert.deepEqual(warnings.map((warning) => [warning.code, warning.offset]), [['ESPN_SHORT_PAGE_BEFORE_TOTAL', 100]]);
  });

  test('a short page in the middle of the pool ends it', async () => {
    pool(400, { shortAt: [{ offset: 100, size: 40 }] });
    const warnings: PlayerPagingWarning[] = [];
    const pages = await collect(options(warnings));
    assert.deepEqual(requestedOffsets(), [0, 100]);
    assert.deepEqual(pages.map((page) => page.players.length), [100, 40]);
    assert.deepEqual(warnings.map((warning) => warning.code), ['ESPN_SHORT_PAGE_BEFORE_TOTAL']);
  });

  test('a pool of 0: one request, nothing yielded', async () => {
    pool(0);
    const pages = await collect(options());
    assert.equal(pages.length, 0);
    assert.equal(fake.requests.length, 1);
  });

  test('the consumer gets each page before the next is asked for', async () => {
    pool(300);
    const seenAtYield: number[] = [];
    for await (const _page of fetchPlayerPages(options())) seenAtYield.push(fake.requests.length);
    assert.deepEqual(seenAtYield, [1, 2, 3]);
  });
});

describe('the request', () => {
  test('X-Fantasy-Filter, the view and both cookies are sent exactly', async () => {
    pool(150, { cookies: { s2: S2, swid: SWID } });
    await collect(options([], { s2: S2, swid: SWID }));
    assert.equal(fake.requests.length, 2);
    for (const [index, request] of fake.requests.entries()) {
      assert.equal(request.path, `/apis/v3/games/flb/seasons/${SEASON}/segments/0/leagues/${LEAGUE}`);
      assert.deepEqual(request.query.getAll('view'), ['kona_player_info']);
      assert.equal(
        request.headers['x-fantasy-filter'],
        `{"players":{"limit":100,"offset":${index * 100},"sortPercOwned":{"sortAsc":false,"sortPriority":1}}}`,
      );
      assert.equal(request.headers.cookie, `espn_s2=${S2}; SWID=${SWID}`);
    }
    assert.equal(playerFilterHeader(300), '{"players":{"limit":100,"offset":300,"sortPercOwned":{"sortAsc":false,"sortPriority":1}}}');
  });

  test('the base URL follows the season on ESPN’s host, and an overriding host is kept', () => {
    const espn = 'https://lm-api-reads.fantasy.espn.com';
    assert.equal(leagueUrl(espn, 2025, 545).href, `${espn}/apis/v3/games/flb/seasons/2025/segments/0/leagues/545`);
    assert.equal(leagueUrl(espn, 2024, 545).href, `${espn}/apis/v3/games/flb/seasons/2024/segments/0/leagues/545`);
    assert.equal(leagueUrl(espn, 2023, 545).href, 'https://fantasy.espn.com/apis/v3/games/flb/seasons/2023/segments/0/leagues/545');
    assert.equal(leagueUrl(espn, 2017, 545).href, 'https://fantasy.espn.com/apis/v3/games/flb/seasons/2017/segments/0/leagues/545');
    assert.equal(leagueUrl(espn, 2016, 545).href, 'https://fantasy.espn.com/apis/v3/games/flb/leagueHistory/545?seasonId=2016');
    assert.equal(leagueUrl('http://127.0.0.1:9', 2020, 545).href, 'http://127.0.0.1:9/apis/v3/games/flb/seasons/2020/segments/0/leagues/545');
    assert.equal(leagueUrl('http://127.0.0.1:9', 2010, 545).href, 'http://127.0.0.1:9/apis/v3/games/flb/leagueHistory/545?seasonId=2010');
  });

  test('Retry-After is read as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-23T12:00:00Z');
    assert.equal(retryAfterMs('7', now), 7000);
    assert.equal(retryAfterMs('Mon, 23 Nov 2026 12:00:30 GMT', now), 30_000);
    assert.equal(retryAfterMs('Mon, 23 Nov 2026 11:00:00 GMT', now), 0);
    assert.equal(retryAfterMs('soon', now), undefined);
    assert.equal(retryAfterMs(undefined, now), undefined);
  });
});

describe('retries', () => {
  test('429 with Retry-After: the same offset is retried after the wait, then paging goes on', async () => {
    pool(150);
    // The first page passes; the second is refused once.
    const first = await (async () => {
      const iterator = fetchPlayerPages(options([], { retryDelaysMs: [5] }));
      const page1 = await iterator.next();
      fake.injectFaults({ kind: 'status', status: 429, retryAfter: '1' });
      const page2 = await iterator.next();
      const end = await iterator.next();
      return { page1, page2, end };
    })();
    assert.equal(first.page1.value?.offset, 0);
    assert.equal(first.page2.value?.offset, 100);
    assert.equal(first.page2.value?.players.length, 50);
    assert.equal(first.end.done, true);
    assert.deepEqual(requestedOffsets(), [0, 100, 100]);
    const [, refused, retried] = fake.requests;
    assert.ok(refused && retried);
    const waited = retried.at - refused.at;
    assert.ok(waited >= 950, `waited ${Math.round(waited)} ms; Retry-After asked for 1000 (the backoff was 5)`);
  });

  test('429 without Retry-After waits the backoff delays in turn', async () => {
    pool(50);
    fake.injectFaults({ kind: 'status', status: 429, times: 2 });
    const pages = await collect(options([], { retryDelaysMs: [100, 300] }));
    assert.equal(pages.length, 1);
    const at = fake.requests.map((request) => request.at);
    const gaps = at.slice(1).map((time, index) => time - (at[index] ?? 0));
    assert.ok((gaps[0] ?? 0) >= 95 && (gaps[1] ?? 0) >= 295, `gaps ${gaps.map(Math.round).join(', ')}`);
  });

  test('429 that outlasts the retries is retryable ESPN_UNAVAILABLE naming the page it reached', async () => {
    pool(250);
    const iterator = fetchPlayerPages(options([], { retryDelaysMs: [5, 5, 5] }));
    await iterator.next();
    await iterator.next();
    fake.injectFaults({ kind: 'status', status: 429, times: 50 });
    const error = await iterator.next().then(
      () => assert.fail('expected a rejection'),
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof RetryableJobError);
    assert.equal(error.code, 'ESPN_UNAVAILABLE');
    assert.match(error.message, /ESPN answered 429/);
    assert.match(error.message, /players offset 200 \(page 3\) after 3 retries; ESPN says: Too Many Requests/);
    assert.deepEqual(requestedOffsets(), [0, 100, 200, 200, 200, 200], 'one try and three retries, no hidden second layer');
  });

  test('500 then success: the page is fetched again and nothing is lost', async () => {
    pool(180);
    fake.injectFaults({ kind: 'status', status: 500 });
    const pages = await collect(options());
    assert.deepEqual(pages.map((page) => page.players.length), [100, 80]);
    assert.deepEqual(requestedOffsets(), [0, 0, 100]);
  });

  test('401 is permanent ESPN_UNAUTHORIZED and not retried', async () => {
    pool(150, { cookies: { s2: S2, swid: SWID } });
    const error = await failure(options());
    assert.ok(error instanceof PermanentJobError);
    assert.equal(error.code, 'ESPN_UNAUTHORIZED');
    assert.match(error.message, /AUTH_LEAGUE_NOT_VISIBLE/);
    assert.equal(fake.requests.length, 1);
  });

  test('404 for an unknown league is permanent', async () => {
    pool(10);
    const error = await failure(options([], { leagueId: 999 }));
    assert.ok(error instanceof PermanentJobError);
    assert.equal(error.code, 'ESPN_LEAGUE_NOT_FOUND');
    assert.equal(fake.requests.length, 1);
  });
});

describe('bad pages', () => {
  test('a malformed entry is permanent ESPN_BAD_RESPONSE with its path and the offset', async () => {
    const entries = generatePlayerPool(250);
    entries[103] = { ...entries[103], id: 'x' };
    fake.setPlayerPool(SEASON, LEAGUE, entries);
    const error = await failure(options());
    assert.ok(error instanceof PermanentJobError);
    assert.equal(error.code, 'ESPN_BAD_RESPONSE');
    assert.match(error.message, /players\[3\]\.id: expected number/);
    assert.match(error.message, /players offset 100 \(page 2\)/);
  });

  test('a body that is not JSON is permanent', async () => {
    pool(50);
    fake.injectFaults({ kind: 'garbage' });
    const error = await failure(options());
    assert.ok(error instanceof PermanentJobError);
    assert.equal(error.code, 'ESPN_BAD_RESPONSE');
    assert.match(error.message, /not JSON \(starts "<html>/);
  });
});

describe('abort', () => {
  test('an abort during the pause between pages stops at once', async () => {
    pool(300);
    const controller = new AbortController();
    const iterator = fetchPlayerPages(options([], { pauseBetweenPagesMs: 60_000 }), controller.signal);
    await iterator.next();
    const started = performance.now();
    setTimeout(() => controller.abort(), 50);
    const error = await iterator.next().then(
      () => assert.fail('expected a rejection'),
      (thrown: unknown) => thrown,
    );
    const took = performance.now() - started;
    assert.ok(error instanceof RetryableJobError);
    assert.equal(error.code, 'ESPN_ABORTED');
    assert.ok(took < 1000, `took ${Math.round(took)} ms`);
    assert.equal(fake.requests.length, 1, 'the next page was never asked for');
  });

  test('an abort during a retry wait stops at once', async () => {
    pool(300);
    fake.injectFaults({ kind: 'status', status: 503, retryAfter: '60' });
    const started = performance.now();
    const error = await failure(options(), AbortSignal.timeout(50));
    assert.ok(error instanceof RetryableJobError);
    assert.equal(error.code, 'ESPN_ABORTED');
    assert.ok(performance.now() - started < 1000);
    assert.equal(fake.requests.length, 1);
  });
});

describe('generated pool', () => {
  test('deterministic, ESPN’s entry shape, most owned first', () => {
    const a = generatePlayerPool(300, { seed: 7 });
    assert.deepEqual(a, generatePlayerPool(300, { seed: 7 }));
    assert.notDeepEqual(a, generatePlayerPool(300, { seed: 8 }));
    const owned = a.map((entry) => (entry.player as { ownership: { percentOwned: number } }).ownership.percentOwned);
    assert.deepEqual(owned, [...owned].sort((x, y) => y - x));
    const entry = a[0] as Record<string, unknown>;
    for (const key of ['id', 'onTeamId', 'status', 'player', 'ratings', 'draftAuctionValue', 'keeperValue', 'lineupLocked', 'rosterLocked', 'tradeLocked']) {
      assert.ok(key in entry, `entry has ${key}`);
    }
    assert.deepEqual(new Set(a.map((each) => each.status)), new Set(['ONTEAM', 'FREEAGENT', 'WAIVERS']));
  });
});
