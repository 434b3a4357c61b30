import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDiscordPageHandler, DISCORD_PAGE_SIZE, formatTimestamp, markdown } from '../../src/http/discord-page.ts';
import { startFakeDiscord } from '../../dev/jobs/discord/fake-discord.ts';
import { createDiscordClient, discordNonce } from '../../src/jobs/discord/discord-client.ts';

const COUNT = 120;
const START = Date.UTC(2026, 0, 1);
const CHANNEL = '1400000000000000001';
/** 2026-03-08T07:30:00Z: 2:30 AM EST does not exist (DST starts); 3:30 AM EDT. */
const DEADLINE = Date.UTC(2026, 2, 8, 7, 30) / 1000;

let dir: string;
let server: Server;
let baseUrl: string;

function message(n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: String(1_500_000_000_000_000_000n + BigInt(n)),
    channel_id: CHANNEL,
    channel: { id: CHANNEL, type: 'text', name: 'trades' },
    content: `Message number ${n}.`,
    embeds: [],
    components: [],
    nonce: `nonce${n}`,
    timestamp: new Date(START + n * 60_000).toISOString(),
    ...extra,
  };
}

/** The newest message, written last: everything the page renders, with hostile text in every slot. */
const richest = message(COUNT, {
  channel_id: '1400000000000000777',
  channel: { id: '1400000000000000777', type: 'dm', recipientId: '1300000000000000042' },
  content: 'Hey <@1300000000000000042>, <script>alert(1)</script>',
  embeds: [
    {
      title: 'Trade requested by **Casey** <img src=x onerror=alert(2)>',
      url: 'https://app.example.test/trades/1',
      description: 'Uphold deadline <t:' + DEADLINE + ':F> (<t:' + DEADLINE + ':D>), _quietly_ see [the trade](https://app.example.test/trades/1?a=1&b=2) & [bad](javascript:alert(3))',
      color: 0x3498db,
      fields: [
        { name: 'Casey receives', value: '**Mike Trout** (LAA)\n1st round *major* pick', inline: true },
        { name: 'Sam receives', value: '"quoted" & <b>not bold</b>', inline: true },
      ],
      footer: { text: 'Change notification settings <here>' },
    },
  ],
  components: [
    {
      type: 1,
      components: [
        { type: 2, style: 5, label: 'Accept <now>', url: 'https://app.example.test/accept?x="y"' },
        { type: 2, style: 5, label: 'Sneaky', url: 'javascript:alert(4)' },
        { type: 2, style: 4, label: 'Decline' },
      ],
    },
  ],
});

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tm-discord-page-'));
  const lines: string[] = [];
  for (let n = 0; n < COUNT; n += 1) lines.push(JSON.stringify(message(n)));
  lines.push('{"not":"a message"}', 'garbage that is not json');
  lines.push(JSON.stringify(richest));
  await writeFile(path.join(dir, 'messages.jsonl'), `${lines.join('\n')}\n`);

  const handle = createDiscordPageHandler(dir);
  server = createServer((req, res) => {
    void Promise.resolve(handle(req, res)).then((handled) => {
      if (!handled) res.writeHead(404).end('not mine');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

async function page(query = ''): Promise<{ status: number; html: string; headers: Headers }> {
  const response = await fetch(`${baseUrl}/discord${query}`);
  return { status: response.status, html: await response.text(), headers: response.headers };
}

function articleIds(html: string): string[] {
  return [...html.matchAll(/<article class="msg" id="m(\d+)"/g)].map((match) => match[1] ?? '');
}

describe('GET /discord', () => {
  it('lists the newest first, paged by DISCORD_PAGE_SIZE, with links between pages', async () => {
    const first = await page();
    assert.equal(first.status, 200);
    assert.match(first.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const ids = articleIds(first.html);
    assert.equal(ids.length, DISCORD_PAGE_SIZE);
    assert.equal(ids[0], String(richest.id));
    assert.equal(ids[1], String(message(COUNT - 1).id));
    assert.match(first.html, /121 message\(s\), newest first; page 1 of 3\. .* 2 unreadable line\(s\) left out\./);
    assert.match(first.html, /href="\/discord\?page=2">Older/);
    assert.doesNotMatch(first.html, /Newer/);

    const last = await page('?page=3');
    const lastIds = articleIds(last.html);
    assert.equal(lastIds.length, 121 - 2 * DISCORD_PAGE_SIZE);
    assert.equal(lastIds.at(-1), String(message(0).id));
    assert.match(last.html, /href="\/discord\?page=2">&larr; Newer/);
    assert.doesNotMatch(last.html, /Older/);

    const beyond = await page('?page=9');
    assert.equal(articleIds(beyond.html).length, 0);
    assert.match(beyond.html, /No messages on page 9/);
  });

  it('renders a message as Discord shows it: where, content, embed with colour bar, markdown, fields, footer, link buttons', async () => {
    const { html } = await page();
    const article = html.slice(html.indexOf(`id="m${String(richest.id)}"`), html.indexOf('</article>'));
    assert.match(article, /DM to <span class="mention">@user 1300000000000000042<\/span>/);
    assert.match(article, /Hey <span class="mention" title="user 1300000000000000042">@user 1300000000000000042<\/span>/);
    assert.match(article, /<div class="embed" style="border-left-color:#3498db"/);
    assert.match(article, /<a href="https:\/\/app\.example\.test\/trades\/1"[^>]*>Trade requested by <strong>Casey<\/strong> &lt;img src=x onerror=alert\(2\)&gt;<\/a>/);
    assert.match(article, /Sunday, March 8, 2026 at 3:30 AM EDT/);
    assert.match(article, />March 8, 2026</);
    assert.match(article, /<em>quietly<\/em>/);
    assert.match(article, /<a href="https:\/\/app\.example\.test\/trades\/1\?a=1&amp;b=2"[^>]*>the trade<\/a> &amp; \[bad\]\(javascript:alert\(3\)\)/);
    assert.match(article, /<div class="field inline"><div class="field-name">Casey receives<\/div><div class="field-value"><strong>Mike Trout<\/strong> \(LAA\)<br>1st round <em>major<\/em> pick<\/div><\/div>/);
    assert.match(article, /&quot;quoted&quot; &amp; &lt;b&gt;not bold&lt;\/b&gt;/);
    assert.match(article, /<div class="embed-footer">Change notification settings &lt;here&gt;<\/div>/);
    assert.match(article, /<a class="button link" href="https:\/\/app\.example\.test\/accept\?x=&quot;y&quot;"[^>]*>Accept &lt;now&gt; &#8599;<\/a>/);
    assert.match(article, /<span class="button secondary">Sneaky<\/span>/, 'a non-web link button is not a link');
    assert.match(article, /<span class="button danger">Decline<\/span>/);
  });

  it('lets no stored text become markup', async () => {
    const { html } = await page();
    assert.doesNotMatch(html, /<script>|<img|<b>not|javascript:alert\(3\)"|href="javascript/);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });

  it('a missing folder is an empty page; bad page numbers and methods are refused; other paths are not its own', async () => {
    const empty = createDiscordPageHandler(path.join(dir, 'nowhere'));
    const emptyServer = createServer((req, res) => void Promise.resolve(empty(req, res)));
    await new Promise<void>((resolve) => emptyServer.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(emptyServer.address() as AddressInfo).port}/discord`);
      assert.match(await response.text(), /No messages yet\./);
    } finally {
      await new Promise<void>((resolve) => emptyServer.close(() => resolve()));
    }
    assert.equal((await page('?page=0')).status, 400);
    assert.equal((await page('?page=abc')).status, 400);
    const post = await fetch(`${baseUrl}/discord`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    const other = await fetch(`${baseUrl}/discordx`);
    assert.equal(await other.text(), 'not mine');
  });

  it('shows what the fake Discord stored from the real client, read afresh on each request', async () => {
    const fakeDir = await mkdtemp(path.join(tmpdir(), 'tm-discord-page-fake-'));
    const fake = await startFakeDiscord({ token: 't', dir: fakeDir });
    fake.addChannel(CHANNEL, 'trades');
    const client = createDiscordClient(
      { botToken: 't', apiBaseUrl: fake.apiBaseUrl, timeoutMs: 2000 },
      { retries: 0 },
    );
    const handler = createDiscordPageHandler(fakeDir);
    const pageServer = createServer((req, res) => void Promise.resolve(handler(req, res)));
    await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
    try {
      await client.createMessage(CHANNEL, { content: 'first **post**', embeds: [{ title: 'T', color: 0xff0000 }] }, { nonce: discordNonce('a') });
      await client.createMessage(CHANNEL, { content: 'second' }, { nonce: discordNonce('b') });
      const html = await (await fetch(`http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/discord`)).text();
      assert.match(html, /2 message\(s\)/);
      assert.ok(html.indexOf('second') < html.indexOf('first <strong>post</strong>'), 'newest first');
      assert.match(html, /#trades<\/span>/);
      assert.match(html, /border-left-color:#ff0000/);
    } finally {
      client.close();
      await new Promise<void>((resolve) => pageServer.close(() => resolve()));
      await fake.close();
      await rm(fakeDir, { recursive: true, force: true });
    }
  });
});

describe('Discord markdown and timestamps', () => {
  const now = new Date(Date.UTC(2026, 2, 6, 12));
  it('renders the styles Discord has, in the league’s time zone', () => {
    const at = new Date(DEADLINE * 1000);
    assert.equal(formatTimestamp(at, 'D', now), 'March 8, 2026');
    assert.equal(formatTimestamp(at, 'd', now), '03/08/2026');
    assert.equal(formatTimestamp(at, 't', now), '3:30 AM EDT');
    assert.equal(formatTimestamp(new Date(Date.UTC(2026, 2, 8, 6, 30)), 't', now), '1:30 AM EST');
    assert.equal(formatTimestamp(at, 'R', now), 'in 2 days');
    assert.equal(formatTimestamp(new Date(now.getTime() - 3 * 3600_000), 'R', now), '3 hours ago');
  });

  it('escapes everything between tokens and leaves unknown syntax as text', () => {
    assert.equal(markdown('a < b & **c > d**', now), 'a &lt; b &amp; <strong>c &gt; d</strong>');
    assert.equal(markdown('__u__ ~~s~~ `<code>`', now), '<u>u</u> <s>s</s> <code>&lt;code&gt;</code>');
    assert.equal(markdown('snake_case_name stays', now), 'snake_case_name stays');
    assert.equal(markdown('<t:abc:F> <@role>', now), '&lt;t:abc:F&gt; &lt;@role&gt;');
    assert.equal(markdown('<#1400000000000000001>', now), '<span class="mention" title="channel 1400000000000000001">#channel 1400000000000000001</span>');
  });
});
