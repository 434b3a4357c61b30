import { pageParameter, sendDevPage } from './dev-page.ts';
import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { z } from 'zod';
import { storedIdPattern } from '../jobs/email/dev-mailbox.ts';
import { escapeHtml } from '../jobs/email/templates/escape-html.ts';

/** The fields of a stored message the page shows; anything else in the file is ignored. */
const storedMessage = z.object({
  id: z.string(),
  date: z.string(),
  from: z.string(),
  to: z.string(),
  subject: z.string(),
  headers: z.record(z.string(), z.string()).default({}),
  text: z.string(),
  html: z.string(),
});
type StoredMessage = z.infer<typeof storedMessage>;

/**
 * The page's own markup may use inline styles; nothing else loads or runs. Stored emails are shown
 * in a sandboxed srcdoc iframe, which inherits this policy.
 */
const contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-src 'self'";

const pageStyle = `body{font-family:Helvetica,Arial,sans-serif;margin:24px;color:#1f2937}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #e5e7eb;font-size:14px}
.nav{margin:12px 0}.meta{margin-bottom:12px;font-size:14px}.meta div{margin:2px 0}iframe{width:100%;height:80vh;border:1px solid #e5e7eb}`;

/**
 * Serves the dev mailbox (`GET /mailbox`, `/mailbox/:id`, `/mailbox/:id.txt`) from the folder the
 * dev-mailbox provider writes; resolves false for any other path so the caller can route on.
 */
export function createMailboxHandler(dir: string): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const root = path.resolve(dir);
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://mailbox.local');
    const pathname = url.pathname.replace(/\/+$/, '');
    if (pathname !== '/mailbox' && !pathname.startsWith('/mailbox/')) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain; charset=utf-8', 'Method Not Allowed', { allow: 'GET, HEAD' });
      return true;
    }
    if (pathname === '/mailbox') {
      const page = pageParameter(url);
      if (page === undefined) send(res, 400, 'text/plain; charset=utf-8', 'page must be a positive integer');
      else send(res, 200, 'text/html; charset=utf-8', listPage(await loadPage(root, page)));
      return true;
    }
    const match = /^\/mailbox\/([^/]+?)(\.txt)?$/.exec(pathname);
    const id = match?.[1];
    // Only ids the provider generates: no dots or slashes can reach the file system.
    const message = id && storedIdPattern.test(id) ? await readMessage(root, id) : undefined;
    if (!message) {
      send(res, 404, 'text/plain; charset=utf-8', 'No such message');
      return true;
    }
    if (match?.[2]) send(res, 200, 'text/plain; charset=utf-8', message.text);
    else send(res, 200, 'text/html; charset=utf-8', messagePage(message));
    return true;
  };
}

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  sendDevPage(res, contentSecurityPolicy, status, type, body, extra);
}

async function readMessage(root: string, id: string): Promise<StoredMessage | undefined> {
  try {
    const parsed = storedMessage.safeParse(JSON.parse(await readFile(path.join(root, `${id}.json`), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Messages per list page. */
export const MAILBOX_PAGE_SIZE = 50;

/**
 * Ids of every stored message, newest first, from the folder's file names alone (`<epoch ms>-<uuid>.json`
 * sorts by time). Anything else in the folder (`deliveries.jsonl`, `keys/`, half-written temp files)
 * is ignored; an absent folder is an empty mailbox.
 */
async function listIds(root: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => entry.name.slice(0, -'.json'.length))
    .filter((id) => storedIdPattern.test(id))
    .sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
}

/** One list page; only its messages are read from disk. Unreadable ones are left out. */
interface ListPage {
  readonly messages: readonly StoredMessage[];
  readonly page: number;
  readonly pages: number;
  readonly total: number;
}

async function loadPage(root: string, page: number): Promise<ListPage> {
  const ids = await listIds(root);
  const onPage = ids.slice((page - 1) * MAILBOX_PAGE_SIZE, page * MAILBOX_PAGE_SIZE);
  const messages = await Promise.all(onPage.map((id) => readMessage(root, id)));
  return {
    messages: messages.filter((message): message is StoredMessage => message !== undefined),
    page,
    pages: Math.max(1, Math.ceil(ids.length / MAILBOX_PAGE_SIZE)),
    total: ids.length,
  };
}


function listPage({ messages, page, pages, total }: ListPage): string {
  const rows = messages
    .map(
      (m) =>
        `<tr><td>${escapeHtml(m.date)}</td><td>${escapeHtml(m.to)}</td><td><a href="/mailbox/${escapeHtml(m.id)}">${escapeHtml(m.subject)}</a></td></tr>`,
    )
    .join('\n');
  const newer = page > 1 ? `<a rel="prev" href="/mailbox?page=${Math.min(page - 1, pages)}">&larr; Newer</a>` : '';
  const older = page < pages ? `<a rel="next" href="/mailbox?page=${page + 1}">Older &rarr;</a>` : '';
  const nav = newer || older ? `<p class="nav">${[newer, older].filter(Boolean).join(' &middot; ')}</p>` : '';
  const table = `<table><thead><tr><th>Date</th><th>To</th><th>Subject</th></tr></thead><tbody>\n${rows}\n</tbody></table>`;
  const body =
    total === 0
      ? '<p>No messages yet.</p>'
      : messages.length === 0
        ? `<p>No messages on page ${page}.</p>${nav}`
        : `<p>${total} message(s), newest first; page ${page} of ${pages}. Nothing here was sent.</p>${nav}${table}${nav}`;
  return htmlDocument('Dev mailbox', `<h1>Dev mailbox</h1>${body}`);
}

function messagePage(m: StoredMessage): string {
  const headers = Object.entries(m.headers)
    .map(([name, value]) => `<div><strong>${escapeHtml(name)}:</strong> ${escapeHtml(value)}</div>`)
    .join('');
  return htmlDocument(
    m.subject,
    `<p><a href="/mailbox">&larr; Mailbox</a></p>
<div class="meta"><div><strong>From:</strong> ${escapeHtml(m.from)}</div><div><strong>To:</strong> ${escapeHtml(m.to)}</div>
<div><strong>Subject:</strong> ${escapeHtml(m.subject)}</div><div><strong>Date:</strong> ${escapeHtml(m.date)}</div>${headers}
<div><a href="/mailbox/${escapeHtml(m.id)}.txt">Text part</a></div></div>
<iframe title="HTML part" sandbox srcdoc="${escapeHtml(m.html)}"></iframe>`,
  );
}

function htmlDocument(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${pageStyle}</style></head><body>${body}</body></html>`;
}
