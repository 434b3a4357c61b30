import { after, before, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import fsPromises from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createMailboxHandler, MAILBOX_PAGE_SIZE } from '../../src/http/mailbox-page.ts';

const COUNT = 120;
const START = 1_767_225_600_000; // 2026-01-01T00:00:00Z

let dir: string;
let server: Server;
let baseUrl: string;
/** Message ids, oldest first: message n was "sent" n minutes after START. */
const ids: string[] = [];

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tm-mailbox-page-'));
  for (let n = 0; n < COUNT; n += 1) {
    const id = `${START + n * 60_000}-${randomUUID()}`;
    ids.push(id);
    const message = {
      id,
      messageId: `<${randomUUID()}@trademachine.local>`,
      // A field the page does not know (the provider may add more): ignored.
      idempotencyKey: randomUUID(),
      deliveredTo: ['a', 'b'],
      date: new Date(START + n * 60_000).toISOString(),
      from: 'TradeMachine <tradebot@trademachine.local>',
      to: `owner${n}@example.com`,
      subject: `Message number ${n}`,
      headers: {},
      tags: ['test'],
      text: `text ${n}`,
      html: `<p>html ${n}</p>`,
    };
    await writeFile(path.join(dir, `${id}.json`), JSON.stringify(message));
    await writeFile(path.join(dir, `${id}.html`), message.html);
  }
  // What else lives in the folder, or will: none of it is a message.
  await writeFile(path.join(dir, 'deliveries.jsonl'), '{"key":"k"}\n');
  await writeFile(path.join(dir, 'notes.json'), '{}');
  await writeFile(path.join(dir, `${START}-${randomUUID()}.json.123.tmp`), '{');
  await mkdir(path.join(dir, 'keys'));
  await mkdir(path.join(dir, `${START + 1}-${randomUUID()}.json`));

  const handle = createMailboxHandler(dir);
  server = createServer((req, res) => {
    void handle(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

/** The subjects listed on a page, in order. */
function subjects(html: string): number[] {
  return [...html.matchAll(/>Message number (\d+)</g)].map((match) => Number(match[1]));
}

/** `Message number` n for n from `from` down to `to`. */
const newestFirst = (from: number, to: number) => Array.from({ length: from - to + 1 }, (_, index) => from - index);

describe('/mailbox pages its list', () => {
  it('page 1 is the newest 50, with a link to older ones only', async () => {
    const html = await (await fetch(`${baseUrl}/mailbox`)).text();
    assert.deepEqual(subjects(html), newestFirst(119, 70));
    assert.match(html, /120 message\(s\), newest first; page 1 of 3\./);
    assert.match(html, /<a rel="next" href="\/mailbox\?page=2">Older &rarr;<\/a>/);
    assert.doesNotMatch(html, /rel="prev"/);
    assert.ok(html.includes(`href="/mailbox/${ids[119]}"`));
  });

  it('page 2 links both ways; the last page holds the rest and links only to newer ones', async () => {
    const second = await (await fetch(`${baseUrl}/mailbox?page=2`)).text();
    assert.deepEqual(subjects(second), newestFirst(69, 20));
    assert.match(second, /href="\/mailbox\?page=1">&larr; Newer/);
    assert.match(second, /href="\/mailbox\?page=3">Older/);
    const last = await (await fetch(`${baseUrl}/mailbox?page=3`)).text();
    assert.deepEqual(subjects(last), newestFirst(19, 0));
    assert.doesNotMatch(last, /rel="next"/);
  });

  it('a page past the end says so and links back; a page that is no number is refused', async () => {
    const beyond = await fetch(`${baseUrl}/mailbox?page=9`);
    assert.equal(beyond.status, 200);
    const html = await beyond.text();
    assert.match(html, /No messages on page 9\./);
    assert.match(html, /href="\/mailbox\?page=3">&larr; Newer/);
    for (const bad of ['0', '-1', 'abc', '1.5', '']) assert.equal((await fetch(`${baseUrl}/mailbox?page=${bad}`)).status, 400, bad);
  });

  it('a page request reads only the files on that page', async () => {
    const readFile = mock.method(fsPromises, 'readFile');
    syncBuiltinESMExports();
    try {
      const html = await (await fetch(`${baseUrl}/mailbox?page=2`)).text();
      assert.equal(subjects(html).length, MAILBOX_PAGE_SIZE);
      const read = readFile.mock.calls.map((call) => path.basename(String(call.arguments[0]))).sort();
      assert.deepEqual(read, ids.slice(20, 70).map((id) => `${id}.json`).sort());
    } finally {
      readFile.mock.restore();
      syncBuiltinESMExports();
    }
  });

  it('a message with fields the page does not know still shows', async () => {
    const response = await fetch(`${baseUrl}/mailbox/${ids[5]}`);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /Message number 5/);
  });
});
