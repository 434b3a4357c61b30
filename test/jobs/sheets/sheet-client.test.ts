import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type RequestListener } from 'node:http';
import { Agent, request } from 'undici';
import { fetchSheetRows, sheetClientDefaults, sheetExportUrl, type SheetFetchOptions, type SheetRef } from '../../../src/jobs/sheets/sheet-client.ts';
import { PermanentJobError, RetryableJobError } from '../../../src/jobs/outcomes.ts';
import { startFakeSheets, type FakeSheets } from '../../../dev/jobs/sheets/fake-sheets.ts';
import { listenOnLoopback } from '../../../dev/loopback-server.ts';
import { findFreePort } from '../../support/free-port.ts';

const MINORS: SheetRef = { name: 'minors', sheetId: '1AbCdEfGhIjKlMnOpQrStUvWxYz_0123456789-abcde', gid: '806978055' };
const PICKS: SheetRef = { name: 'draft picks', sheetId: '1PicksSheetId', gid: '142978697' };

let fake: FakeSheets;
const agent = new Agent();

function options(overrides: Partial<SheetFetchOptions> = {}): SheetFetchOptions {
  return { baseUrl: fake.url, dispatcher: agent, timeoutMs: 2000, ...overrides };
}

/** Runs fetchSheetRows expecting a rejection, and returns the error for closer assertions. */
async function failure(sheet: SheetRef, overrides: Partial<SheetFetchOptions> = {}): Promise<Error & { code?: string }> {
  try {
    await fetchSheetRows(sheet, options(overrides));
  } catch (error) {
    assert.ok(error instanceof Error);
    return error;
  }
  assert.fail('fetchSheetRows resolved; expected it to reject');
}

/** Runs `body` against a one-off server answering every request with `handler`, for answers the fake does not give. */
async function withServer(handler: RequestListener, body: (baseUrl: string) => Promise<void>): Promise<void> {
  const server = await listenOnLoopback(createServer(handler));
  try {
    await body(server.baseUrl);
  } finally {
    await server.close();
  }
}

/** The message names the sheet by name, id and gid. */
function assertNamesSheet(error: Error, sheet: SheetRef): void {
  assert.match(error.message, new RegExp(`the ${sheet.name} sheet \\(id ${sheet.sheetId}, gid ${sheet.gid}\\)`), error.message);
}

before(async () => {
  fake = await startFakeSheets();
});

beforeEach(() => {
  fake.reset();
  fake.setSheet(MINORS.sheetId, MINORS.gid, [
    ['1', '0', '', 'Alice', '', '', '', 'K', 'T'],
    ['1', 'HM', '1', 'Smith, John', '*', 'SS', 'CWS', 'TRUE', 'FALSE'],
  ]);
});

after(async () => {
  await agent.close();
  await fake.close();
});

describe('the happy path', () => {
  test('follows the 307 to the content host and returns every row exactly, the first one too', async () => {
    const rows = [
      ['Round', 'Owner', '', 'OVR'],
      ['1', 'Smith, John', '', '12'],
      ['2', 'He said "hi"', 'two\nlines', '13'],
      ['3', 'crlf\r\ninside', '', ''],
      ['ragged'],
      ['', '', '', '', '', '', 'longer row'],
      ['Ünïcødé ⚾', '', '', '14'],
    ];
    fake.setSheet(PICKS.sheetId, PICKS.gid, rows);

    const got = await fetchSheetRows(PICKS, options());

    assert.deepEqual(got, rows);
    assert.deepEqual(
      fake.requests.map((each) => each.path),
      [`/spreadsheets/d/${PICKS.sheetId}/export`, `/export-content/${PICKS.sheetId}/${PICKS.gid}`],
      'one hop on docs.google.com, then the download',
    );
    assert.equal(fake.requests[0]?.query.get('format'), 'csv');
    assert.equal(fake.requests[0]?.query.get('gid'), PICKS.gid);
  });

  test('a byte-order mark is dropped, not glued to the first cell', async () => {
    fake.setSheet(PICKS.sheetId, PICKS.gid, [['Draft Picks', 'x'], ['1', '2']], { bom: true });
    // The fake really sends one: the bytes start with EF BB BF.
    const raw = await request(`${fake.url}/export-content/${PICKS.sheetId}/${PICKS.gid}?format=csv`, { dispatcher: agent });
    const bytes = Buffer.from(await raw.body.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);

    const got = await fetchSheetRows(PICKS, options());
    assert.deepEqual(got, [['Draft Picks', 'x'], ['1', '2']]);
  });

  test('an empty tab is zero rows, and a blank line is one empty cell (parsers see blank separators)', async () => {
    fake.setSheet(PICKS.sheetId, PICKS.gid, []);
    assert.deepEqual(await fetchSheetRows(PICKS, options()), []);
    fake.setSheet(PICKS.sheetId, PICKS.gid, [['a'], [], [',', '']]);
    assert.deepEqual(await fetchSheetRows(PICKS, options()), [['a'], [''], [',', '']]);
  });

  test('the export URL is Google\'s, with a trailing slash on the base tolerated', () => {
    assert.equal(
      sheetExportUrl('https://docs.google.com/', MINORS).href,
      `https://docs.google.com/spreadsheets/d/${MINORS.sheetId}/export?format=csv&gid=806978055`,
    );
  });
});

describe('refusals and bad answers', () => {
  test('a sheet that went private (redirect to the sign-in page) is a permanent SHEET_NOT_PUBLIC', async () => {
    fake.setFault(MINORS.sheetId, { kind: 'private' });
    const error = await failure(MINORS);
    assert.ok(error instanceof PermanentJobError);
    assert.equal(error.code, 'SHEET_NOT_PUBLIC');
    assertNamesSheet(error, MINORS);
    assert.match(error.message, /anyone with the link/);
    assert.match(error.message, /text\/html/);
  });

  test('HTML served as text/csv is still not a sheet: SHEET_NOT_PUBLIC', async () => {
    fake.setFault(MINORS.sheetId, { kind: 'garbage', body: '\n  <!DOCTYPE html><html><body>Sign in</body></html>' });
    const error = await failure(MINORS);
    assert.ok(error instanceof PermanentJobError);
    assert.equal(error.code, 'SHEET_NOT_PUBLIC');
    assert.match(error.message, /text\/csv; charset=utf-8/);
  });

  test('an unknown sheet id, or an unknown gid, is a permanent SHEET_NOT_FOUND naming the variables to check', async () => {
    const unknownId = await failure({ ...MINORS, sheetId: 'nope' });
    assert.ok(unknownId instanceof PermanentJobError);
    assert.equal(unknownId.code, 'SHEET_NOT_FOUND');
    assertNamesSheet(unknownId, { ...MINORS, sheetId: 'nope' });
    assert.match(unknownId.message, /404; check MINOR_LEAGUE_SHEET_ID and MINOR_LEAGUE_SHEET_GID/);

    const unknownGid = await failure({ ...PICKS, sheetId: MINORS.sheetId });
    assert.ok(unknownGid instanceof PermanentJobError);
    assert.equal(unknownGid.code, 'SHEET_NOT_FOUND');
    assert.match(unknownGid.message, /check DRAFT_PICKS_SHEET_ID and DRAFT_PICKS_SHEET_GID/);
  });

  for (const status of [401, 403]) {
    test(`${status} is a permanent SHEET_FORBIDDEN`, async () => {
      fake.setFault(MINORS.sheetId, { kind: 'status', status });
      const error = await failure(MINORS);
      assert.ok(error instanceof PermanentJobError);
      assert.equal(error.code, 'SHEET_FORBIDDEN');
      assertNamesSheet(error, MINORS);
      assert.match(error.message, new RegExp(`\\(${status}\\)`));
    });
  }

  test('another 4xx is a permanent SHEET_REJECTED', async () => {
    fake.setFault(MINORS.sheetId, { kind: 'status', status: 400 });
    const error = await failure(MINORS);
    assert.ok(error instanceof PermanentJobError);
    assert.equal(error.code, 'SHEET_REJECTED');
    assert.match(error.message, /answered 400/);
  });

  for (const status of [429, 500, 503]) {
    test(`${status} is a retryable SHEET_UNAVAILABLE, and the client does not retry by itself`, async () => {
      fake.setFault(MINORS.sheetId, { kind: 'status', status, times: 1 });
      const error = await failure(MINORS);
      assert.ok(error instanceof RetryableJobError);
      assert.equal(error.code, 'SHEET_UNAVAILABLE');
      assertNamesSheet(error, MINORS);
      assert.match(error.message, new RegExp(`answered ${status}`));
      assert.equal(fake.requests.length, 1, 'one request, no retry inside the client');
      // The queue's next attempt works once Google recovers.
      assert.equal((await fetchSheetRows(MINORS, options())).length, 2);
    });
  }

  test('a CSV syntax error is a permanent SHEET_MALFORMED with the line', async () => {
    fake.setFault(MINORS.sheetId, { kind: 'garbage' });
    const error = await failure(MINORS);
    assert.ok(error instanceof PermanentJobError);
    assert.equal(error.code, 'SHEET_MALFORMED');
    assertNamesSheet(error, MINORS);
    assert.match(error.message, /not valid CSV.*line \d+/);
    assert.equal((error.cause as { code?: string }).code, 'CSV_QUOTE_NOT_CLOSED');
  });

  test('a body over the cap is a permanent SHEET_TOO_LARGE', async () => {
    const error = await failure(MINORS, { maxBytes: 20 });
    assert.ok(error instanceof PermanentJobError);
    assert.equal(error.code, 'SHEET_TOO_LARGE');
    assert.match(error.message, /20-byte cap/);
    // The same sheet under the default cap is fine, so it was the cap that refused it.
    assert.ok(sheetClientDefaults.maxBytes > 1000);
    assert.equal((await fetchSheetRows(MINORS, options())).length, 2);
  });

  test('a body over the cap without a content-length is cut off while streaming', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' }); // chunked: no content-length
      let sent = 0;
      const more = () => {
        while (sent < 200 && res.write('a,b,c,d,e,f,g,h,i,j\n')) sent++;
        if (sent < 200) res.once('drain', more);
        else res.end();
      };
      more();
    });
    const chunked = await listenOnLoopback(server);
    try {
      const error = await failure(MINORS, { baseUrl: chunked.baseUrl, maxBytes: 1000 });
      assert.ok(error instanceof PermanentJobError);
      assert.equal(error.code, 'SHEET_TOO_LARGE');
      const fine = await fetchSheetRows(MINORS, options({ baseUrl: chunked.baseUrl, maxBytes: 10_000 }));
      assert.equal(fine.length, 200);
    } finally {
      await chunked.close();
    }
  });

  test('a 200 that is neither CSV nor HTML (no content type, or another one) is SHEET_NOT_PUBLIC too', async () => {
    for (const type of [undefined, 'application/octet-stream']) {
      await withServer(
        (_req, res) => {
          res.writeHead(200, type ? { 'content-type': type } : {});
          res.end('a,b\n1,2\n');
        },
        async (baseUrl) => {
          const error = await failure(MINORS, { baseUrl });
          assert.ok(error instanceof PermanentJobError);
          assert.equal(error.code, 'SHEET_NOT_PUBLIC');
          assert.match(error.message, type ? new RegExp(`got "${type}"`) : /got no content type/);
        },
      );
    }
  });

  test('a redirect back to the very same URL is caught as a loop at once', async () => {
    let hits = 0;
    await withServer(
      (req, res) => {
        hits++;
        res.writeHead(307, { location: req.url ?? '/' });
        res.end();
      },
      async (baseUrl) => {
        const error = await failure(MINORS, { baseUrl });
        assert.ok(error instanceof RetryableJobError);
        assert.equal(error.code, 'SHEET_REDIRECT_LOOP');
        assert.equal(hits, 1);
      },
    );
  });

  test('endless redirects are a retryable SHEET_REDIRECT_LOOP after a bounded number of hops', async () => {
    fake.setFault(MINORS.sheetId, { kind: 'redirectLoop' });
    const error = await failure(MINORS);
    assert.ok(error instanceof RetryableJobError);
    assert.equal(error.code, 'SHEET_REDIRECT_LOOP');
    assertNamesSheet(error, MINORS);
    assert.equal(fake.requests.length, sheetClientDefaults.maxRedirections + 1);
  });
});

describe('transport', () => {
  test('no answer within timeoutMs is a retryable SHEET_TIMEOUT, reported promptly', async () => {
    fake.setFault(MINORS.sheetId, { kind: 'delay', ms: 1500 });
    const started = performance.now();
    const error = await failure(MINORS, { timeoutMs: 100 });
    const took = performance.now() - started;
    assert.ok(error instanceof RetryableJobError);
    assert.equal(error.code, 'SHEET_TIMEOUT');
    assertNamesSheet(error, MINORS);
    assert.match(error.message, /within 100 ms/);
    assert.ok(took < 1000, `gave up after ${Math.round(took)} ms`);
  });

  test('a body that stalls halfway is a SHEET_TIMEOUT too', async () => {
    await withServer(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/csv' });
        res.write('a,b\n1,'); // and nothing more
      },
      async (baseUrl) => {
        const error = await failure(MINORS, { baseUrl, timeoutMs: 150 });
        assert.ok(error instanceof RetryableJobError);
        assert.equal(error.code, 'SHEET_TIMEOUT');
      },
    );
  });

  test('a delay inside the timeout is just slow', async () => {
    fake.setFault(MINORS.sheetId, { kind: 'delay', ms: 50 });
    assert.equal((await fetchSheetRows(MINORS, options({ timeoutMs: 2000 }))).length, 2);
  });

  test('the caller\'s signal aborts the download: a retryable SHEET_ABORTED', async () => {
    fake.setFault(MINORS.sheetId, { kind: 'delay', ms: 1500 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = performance.now();
    const error = await failure(MINORS, { signal: controller.signal, timeoutMs: 5000 });
    assert.ok(error instanceof RetryableJobError);
    assert.equal(error.code, 'SHEET_ABORTED');
    assertNamesSheet(error, MINORS);
    assert.ok(performance.now() - started < 1000);
  });

  test('nobody listening is a retryable SHEET_UNREACHABLE', async () => {
    const port = await findFreePort();
    const error = await failure(MINORS, { baseUrl: `http://127.0.0.1:${port}` });
    assert.ok(error instanceof RetryableJobError);
    assert.equal(error.code, 'SHEET_UNREACHABLE');
    assertNamesSheet(error, MINORS);
    assert.match(error.message, /ECONNREFUSED/);
  });

  test('without a dispatcher the global one is used (and the redirect still followed)', async () => {
    const rows = await fetchSheetRows(MINORS, { baseUrl: fake.url, timeoutMs: 2000 });
    assert.deepEqual(rows[1], ['1', 'HM', '1', 'Smith, John', '*', 'SS', 'CWS', 'TRUE', 'FALSE']);
  });
});
