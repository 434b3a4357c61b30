import { pageParameter, sendDevPage } from './dev-page.ts';
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { z } from 'zod';
import { escapeHtml } from '../jobs/email/templates/escape-html.ts';
import type { RouteHandler } from './server.ts';

/**
 * The dev `/discord` page: the messages the Discord stand-in accepted (one JSON line each in
 * `<dir>/messages.jsonl`), newest first, rendered close to how Discord shows them: where it went,
 * the content, each embed with its colour bar, author, title, description, fields, footer and
 * timestamp, and the link buttons. Discord markdown is rendered for the parts Discord renders it
 * in (**bold**, _italic_, __underline__, ~~strike~~, `code`, [links](https://…), <@mentions>,
 * <t:unix:F> timestamps); every piece of text is HTML-escaped first, nothing stored can run.
 */

/** Messages per page. */
export const DISCORD_PAGE_SIZE = 50;

/** The time zone timestamps are shown in: the league's (Discord would use the viewer's). */
export const DISCORD_PAGE_TIME_ZONE = 'America/New_York';

const text = z.string().optional();
const embedSchema = z.object({
  title: text,
  url: text,
  description: text,
  color: z.number().int().min(0).max(0xffffff).optional(),
  timestamp: text,
  author: z.object({ name: z.string(), url: text }).optional(),
  footer: z.object({ text: z.string() }).optional(),
  fields: z.array(z.object({ name: z.string(), value: z.string(), inline: z.boolean().optional() })).default([]),
});
type Embed = z.infer<typeof embedSchema>;

const buttonSchema = z.object({ type: z.literal(2), style: z.number().int(), label: text, url: text, disabled: z.boolean().optional() });
const rowSchema = z.object({ type: z.literal(1), components: z.array(z.unknown()).default([]) });

const storedMessage = z.object({
  id: z.string(),
  channel_id: z.string(),
  channel: z.discriminatedUnion('type', [
    z.object({ id: z.string(), type: z.literal('text'), name: z.string() }),
    z.object({ id: z.string(), type: z.literal('dm'), recipientId: z.string() }),
  ]),
  content: z.string().default(''),
  embeds: z.array(z.unknown()).default([]),
  components: z.array(z.unknown()).default([]),
  timestamp: z.string(),
});
type StoredMessage = z.infer<typeof storedMessage>;

const contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'";

const pageStyle = `body{font-family:"gg sans","Noto Sans",Helvetica,Arial,sans-serif;margin:0;padding:24px;background:#313338;color:#dbdee1;font-size:15px;line-height:1.375}
h1{font-size:20px;color:#f2f3f5}a{color:#00a8fc;text-decoration:none}a:hover{text-decoration:underline}
.nav{margin:12px 0}.msg{padding:10px 0;border-top:1px solid #3f4147;max-width:760px}
.where{font-size:12px;color:#949ba4;margin-bottom:2px}.where .chan{color:#f2f3f5;font-weight:600}
.author{font-weight:600;color:#f2f3f5}.bot{background:#5865f2;color:#fff;border-radius:3px;font-size:10px;padding:1px 4px;margin-left:4px;vertical-align:middle}
.time{color:#949ba4;font-size:12px;margin-left:6px}.content{white-space:normal;word-wrap:break-word}
.embed{display:block;background:#2b2d31;border-left:4px solid #1e1f22;border-radius:4px;padding:8px 16px 12px 12px;margin-top:4px;max-width:516px}
.embed-author{font-size:14px;font-weight:600;color:#f2f3f5;margin-top:8px}.embed-title{font-weight:600;color:#f2f3f5;margin-top:8px}
.embed-description{font-size:14px;margin-top:8px}.fields{display:grid;grid-template-columns:repeat(3,1fr);gap:8px;margin-top:8px}
.field{grid-column:1 / -1;font-size:14px}.field.inline{grid-column:auto}.field-name{font-weight:600;color:#f2f3f5;margin-bottom:2px}
.embed-footer{font-size:12px;color:#b5bac1;margin-top:8px}.mention{background:rgba(88,101,242,.3);color:#c9cdfb;border-radius:3px;padding:0 2px}
.ts{background:rgba(255,255,255,.06);border-radius:3px;padding:0 2px}code{background:#1e1f22;border-radius:3px;padding:0 3px;font-size:13px}
.buttons{margin-top:8px;display:flex;gap:8px;flex-wrap:wrap}.button{display:inline-block;background:#4e5058;color:#fff;border-radius:3px;padding:2px 16px;font-size:14px;line-height:28px}
.button.primary{background:#5865f2}.button.success{background:#248046}.button.danger{background:#da373c}.button.disabled{opacity:.5}`;

/** Serves `GET /discord` (and `?page=N`) from the stand-in's folder; resolves false for any other path. */
export function createDiscordPageHandler(dir: string): RouteHandler {
  const file = path.join(path.resolve(dir), 'messages.jsonl');
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://discord.local');
    if (url.pathname.replace(/\/+$/, '') !== '/discord') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain; charset=utf-8', 'Method Not Allowed', { allow: 'GET, HEAD' });
      return true;
    }
    const page = pageParameter(url);
    if (page === undefined) {
      send(res, 400, 'text/plain; charset=utf-8', 'page must be a positive integer');
      return true;
    }
    const { messages, unreadable } = await readMessages(file);
    send(res, 200, 'text/html; charset=utf-8', listPage(messages, unreadable, page, new Date()));
    return true;
  };
}

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  sendDevPage(res, contentSecurityPolicy, status, type, body, extra);
}

/** Every readable message, newest first (the file is appended in order); an absent file is no messages. */
async function readMessages(file: string): Promise<{ messages: StoredMessage[]; unreadable: number }> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch {
    return { messages: [], unreadable: 0 };
  }
  const messages: StoredMessage[] = [];
  let unreadable = 0;
  for (const line of raw.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const parsed = storedMessage.safeParse(JSON.parse(line));
      if (parsed.success) messages.push(parsed.data);
      else unreadable += 1;
    } catch {
      unreadable += 1;
    }
  }
  return { messages: messages.reverse(), unreadable };
}


function listPage(all: readonly StoredMessage[], unreadable: number, page: number, now: Date): string {
  const total = all.length;
  const pages = Math.max(1, Math.ceil(total / DISCORD_PAGE_SIZE));
  const onPage = all.slice((page - 1) * DISCORD_PAGE_SIZE, page * DISCORD_PAGE_SIZE);
  const newer = page > 1 ? `<a rel="prev" href="/discord?page=${Math.min(page - 1, pages)}">&larr; Newer</a>` : '';
  const older = page < pages ? `<a rel="next" href="/discord?page=${page + 1}">Older &rarr;</a>` : '';
  const nav = newer || older ? `<p class="nav">${[newer, older].filter(Boolean).join(' &middot; ')}</p>` : '';
  const skipped = unreadable > 0 ? ` ${unreadable} unreadable line(s) left out.` : '';
  const body =
    total === 0
      ? `<p>No messages yet.${skipped}</p>`
      : onPage.length === 0
        ? `<p>No messages on page ${page}.</p>${nav}`
        : `<p>${total} message(s), newest first; page ${page} of ${pages}. Nothing here reached Discord.${skipped}</p>${nav}${onPage
            .map((message) => renderMessage(message, now))
            .join('\n')}${nav}`;
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Dev Discord</title><style>${pageStyle}</style></head><body><h1>Dev Discord</h1>${body}</body></html>`;
}

function renderMessage(message: StoredMessage, now: Date): string {
  const where =
    message.channel.type === 'text'
      ? `<span class="chan">#${escapeHtml(message.channel.name)}</span> (channel ${escapeHtml(message.channel.id)})`
      : `<span class="chan">DM to <span class="mention">@user ${escapeHtml(message.channel.recipientId)}</span></span> (channel ${escapeHtml(message.channel.id)})`;
  const sentAt = new Date(message.timestamp);
  const time = Number.isNaN(sentAt.getTime()) ? escapeHtml(message.timestamp) : escapeHtml(formatTimestamp(sentAt, 'f', now));
  const content = message.content !== '' ? `<div class="content">${markdown(message.content, now)}</div>` : '';
  const embeds = message.embeds.map((embed) => renderEmbed(embed, now)).join('');
  const buttons = renderComponents(message.components);
  return `<article class="msg" id="m${escapeHtml(message.id)}"><div class="where">${where}</div><div><span class="author">TradeMachine</span><span class="bot">BOT</span><span class="time">${time}</span></div>${content}${embeds}${buttons}</article>`;
}

function renderEmbed(raw: unknown, now: Date): string {
  const parsed = embedSchema.safeParse(raw);
  if (!parsed.success) return `<div class="embed"><em>An embed this page cannot read.</em></div>`;
  const embed: Embed = parsed.data;
  const colour = embed.color !== undefined ? `#${embed.color.toString(16).padStart(6, '0')}` : '#1e1f22';
  const parts: string[] = [];
  if (embed.author) parts.push(`<div class="embed-author">${linked(escapeHtml(embed.author.name), embed.author.url)}</div>`);
  if (embed.title !== undefined) parts.push(`<div class="embed-title">${linked(markdown(embed.title, now), embed.url)}</div>`);
  if (embed.description !== undefined) parts.push(`<div class="embed-description">${markdown(embed.description, now)}</div>`);
  if (embed.fields.length > 0) {
    const fields = embed.fields
      .map(
        (field) =>
          `<div class="field${field.inline ? ' inline' : ''}"><div class="field-name">${markdown(field.name, now)}</div><div class="field-value">${markdown(field.value, now)}</div></div>`,
      )
      .join('');
    parts.push(`<div class="fields">${fields}</div>`);
  }
  const footer = [embed.footer ? escapeHtml(embed.footer.text) : '', timestampOf(embed.timestamp, now)].filter(Boolean).join(' &bull; ');
  if (footer) parts.push(`<div class="embed-footer">${footer}</div>`);
  return `<div class="embed" style="border-left-color:${escapeHtml(colour)}" data-color="${escapeHtml(colour)}">${parts.join('')}</div>`;
}

function timestampOf(value: string | undefined, now: Date): string {
  if (value === undefined) return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? escapeHtml(value) : escapeHtml(formatTimestamp(date, 'f', now));
}

const buttonStyles: Readonly<Record<number, string>> = { 1: 'primary', 2: 'secondary', 3: 'success', 4: 'danger' };

/** Action rows of buttons: link buttons (style 5) as links, the others as Discord's coloured, inert buttons. */
function renderComponents(components: readonly unknown[]): string {
  const rows = components
    .map((rawRow) => {
      const row = rowSchema.safeParse(rawRow);
      if (!row.success) return '';
      const buttons = row.data.components
        .map((rawButton) => {
          const button = buttonSchema.safeParse(rawButton);
          if (!button.success) return '';
          const label = escapeHtml(button.data.label ?? '');
          if (button.data.style === 5 && button.data.url !== undefined && isWebUrl(button.data.url)) {
            return `<a class="button link" href="${escapeHtml(button.data.url)}" rel="noopener noreferrer" target="_blank">${label} &#8599;</a>`;
          }
          const style = buttonStyles[button.data.style] ?? 'secondary';
          return `<span class="button ${style}${button.data.disabled ? ' disabled' : ''}">${label}</span>`;
        })
        .join('');
      return buttons ? `<div class="buttons">${buttons}</div>` : '';
    })
    .join('');
  return rows;
}

function isWebUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function linked(html: string, url: string | undefined): string {
  return url !== undefined && isWebUrl(url) ? `<a href="${escapeHtml(url)}" rel="noopener noreferrer" target="_blank">${html}</a>` : html;
}

/**
 * Discord's markdown, for the subset the bot's messages use. The text between tokens is escaped;
 * tokens nest (a link's text, bold inside a field). Anything not understood stays as escaped text.
 */
const token =
  /\*\*([\s\S]+?)\*\*|__([\s\S]+?)__|~~([\s\S]+?)~~|`([^`\n]+)`|\[([^\]\n]+)\]\(([^)\s]+)\)|<t:(-?\d{1,13})(?::([tTdDfFR]))?>|<@!?(\d{1,20})>|<@&(\d{1,20})>|<#(\d{1,20})>|(?<![\w\\])_([^_\n]+)_(?!\w)|(?<![\w*\\])\*([^*\n]+)\*(?!\*)|\n/;

export function markdown(source: string, now: Date): string {
  let out = '';
  let rest = source;
  while (rest.length > 0) {
    const match = token.exec(rest);
    if (!match) {
      out += escapeHtml(rest);
      break;
    }
    out += escapeHtml(rest.slice(0, match.index));
    out += renderToken(match, now);
    rest = rest.slice(match.index + match[0].length);
  }
  return out;
}

function renderToken(match: RegExpExecArray, now: Date): string {
  const [whole, bold, underline, strike, code, linkText, linkUrl, unix, style, user, role, channel, underscored, starred] = match;
  if (bold !== undefined) return `<strong>${markdown(bold, now)}</strong>`;
  if (underline !== undefined) return `<u>${markdown(underline, now)}</u>`;
  if (strike !== undefined) return `<s>${markdown(strike, now)}</s>`;
  if (code !== undefined) return `<code>${escapeHtml(code)}</code>`;
  if (linkText !== undefined && linkUrl !== undefined) {
    return isWebUrl(linkUrl) ? linked(markdown(linkText, now), linkUrl) : escapeHtml(whole);
  }
  if (unix !== undefined) {
    const date = new Date(Number(unix) * 1000);
    if (Number.isNaN(date.getTime())) return escapeHtml(whole);
    return `<span class="ts" title="${escapeHtml(date.toISOString())}">${escapeHtml(formatTimestamp(date, style ?? 'f', now))}</span>`;
  }
  if (user !== undefined) return `<span class="mention" title="user ${escapeHtml(user)}">@user ${escapeHtml(user)}</span>`;
  if (role !== undefined) return `<span class="mention" title="role ${escapeHtml(role)}">@role ${escapeHtml(role)}</span>`;
  if (channel !== undefined) return `<span class="mention" title="channel ${escapeHtml(channel)}">#channel ${escapeHtml(channel)}</span>`;
  if (underscored !== undefined) return `<em>${markdown(underscored, now)}</em>`;
  if (starred !== undefined) return `<em>${markdown(starred, now)}</em>`;
  return '<br>';
}

/** Discord's timestamp styles (t, T, d, D, f, F, R), in the league's time zone, English. */
export function formatTimestamp(date: Date, style: string, now: Date): string {
  const zone = { timeZone: DISCORD_PAGE_TIME_ZONE } as const;
  const format = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('en-US', { ...zone, ...options }).format(date);
  switch (style) {
    case 't':
      return format({ hour: 'numeric', minute: '2-digit', timeZoneName: 'short' });
    case 'T':
      return format({ hour: 'numeric', minute: '2-digit', second: '2-digit', timeZoneName: 'short' });
    case 'd':
      return format({ month: '2-digit', day: '2-digit', year: 'numeric' });
    case 'D':
      return format({ month: 'long', day: 'numeric', year: 'numeric' });
    case 'F':
      return format({ weekday: 'long', month: 'long', day: 'numeric', year: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' });
    case 'R':
      return relative(date, now);
    default:
      return format({ month: 'long', day: 'numeric', year: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' });
  }
}

function relative(date: Date, now: Date): string {
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['year', 365 * 86_400],
    ['month', 30 * 86_400],
    ['day', 86_400],
    ['hour', 3600],
    ['minute', 60],
    ['second', 1],
  ];
  const formatter = new Intl.RelativeTimeFormat('en-US', { numeric: 'auto' });
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size || unit === 'second') return formatter.format(Math.round(seconds / size), unit);
  }
  return formatter.format(0, 'second');
}
