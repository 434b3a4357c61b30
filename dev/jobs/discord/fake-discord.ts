/**
 * A local stand-in for Discord's REST API (v10) that keeps its contract for what the worker uses:
 * `POST /api/v10/users/@me/channels {recipient_id}` (a DM channel, the same one per user) and
 * `POST /api/v10/channels/{id}/messages` (a message object), bot-token auth with Discord's 401
 * body, Discord's JSON error bodies and codes (10003 unknown channel, 10013 unknown user, 50001
 * missing access, 50007 DMs refused, 50035 invalid form body with an `errors` tree for the embed
 * limits), `nonce` + `enforce_nonce` (a repeat within 2 minutes answers the first message), per-route
 * rate-limit headers on every answer, and faults on demand (429 with `retry_after`, 5xx, slowness, a
 * connection dropped after the post was stored). It records every message and, given a folder,
 * appends them to `messages.jsonl` there, which the dev `/discord` page reads.
 */
import { createHash } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { listenOnLoopback } from '../../loopback-server.ts';

/** A 429 (`retryAfter` in seconds, as Discord's body has it), a status, a pause, or a post stored then the connection cut. */
export type FakeDiscordFault = (
  | { readonly kind: 'rateLimit'; readonly retryAfter: number; readonly global?: boolean; readonly scope?: 'user' | 'shared' | 'global' }
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'dropAfterPost' }
  /** The post is stored, then the answer waits `ms` (a sender killed meanwhile never learns it was posted). */
  | { readonly kind: 'holdAfterPost'; readonly ms: number }
) & {
  /** How many requests it applies to. Default: 1. */
  readonly times?: number;
  /** Only requests to this route take it (`dm`: open a DM; `message`: post a message). Default: any. */
  readonly route?: 'dm' | 'message';
};

/** Where a stored message went, as the /discord page shows it. */
export type FakeChannel =
  | { readonly id: string; readonly type: 'text'; readonly name: string }
  | { readonly id: string; readonly type: 'dm'; readonly recipientId: string };

/** One message the fake accepted: Discord's message fields plus where it went. One JSON line in `messages.jsonl`. */
export interface StoredDiscordMessage {
  readonly id: string;
  readonly channel_id: string;
  readonly channel: FakeChannel;
  readonly content: string;
  readonly embeds: readonly unknown[];
  readonly components: readonly unknown[];
  readonly nonce: string | number | null;
  readonly timestamp: string;
}

export interface RecordedDiscordRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body, or undefined when there was none or it was not JSON. */
  readonly body: unknown;
  /** When it arrived (performance.now()), to check waits. */
  readonly at: number;
}

/** An answer to an interaction, as the fake received it. */
export interface FakeInteractionAnswer {
  readonly kind: 'callback' | 'edit_original';
  readonly interactionId?: string;
  readonly interactionToken: string;
  readonly body: unknown;
  /** ms since the interaction was announced (expectInteraction), when it was. */
  readonly afterMs?: number;
}

/** Discord's window to answer an interaction's callback. */
export const INTERACTION_CALLBACK_WINDOW_MS = 3000;

export interface FakeDiscordOptions {
  /** The bot token requests must carry as `Authorization: Bot <token>`. Default: `fake-discord-token`. */
  readonly token?: string;
  /** A folder to append every stored message to (`messages.jsonl`), created with the first message. */
  readonly dir?: string;
  /** Requests per route bucket (one per route and channel) per window, as the rate-limit headers report. Default: 50. */
  readonly bucketLimit?: number;
  /** The bucket's window in ms. Default: 1000. */
  readonly bucketWindowMs?: number;
}

export interface FakeDiscord {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The value for DISCORD_API_BASE_URL: `<url>/api` (the version is the client's). */
  readonly apiBaseUrl: string;
  readonly token: string;
  /** A guild text channel the bot may post in (by default none is known: posting elsewhere is 10003). */
  addChannel(id: string, name?: string): void;
  /** Posting to this channel answers 403 code 50001 (Missing Access). */
  denyAccess(channelId: string): void;
  /**
   * Restricts DM recipients to these users (10013 Unknown User for others). Until it is called,
   * any snowflake is a user, so the dev stand-in can DM the seeded league's ids.
   */
  setKnownUsers(ids: readonly string[]): void;
  /** These users do not accept DMs: opening the channel works, posting to it answers 403 code 50007. */
  setUsersRefusingDms(ids: readonly string[]): void;
  /** Queues faults; each matching request takes the next one until they run out. */
  injectFaults(...faults: FakeDiscordFault[]): void;
  /** Every message stored, oldest first. */
  messages(): readonly StoredDiscordMessage[];
  /** Every request received, oldest first. */
  readonly requests: RecordedDiscordRequest[];
  /** What GET /gateway/bot answers as the Gateway's URL (the Gateway stand-in's `ws://…`). */
  setGatewayUrl(url: string): void;
  /** The guild's registered commands, as the last bulk overwrite left them. */
  guildCommands(applicationId: string, guildId: string): readonly Record<string, unknown>[];
  /**
   * Announces an interaction (the Gateway stand-in dispatched it, or a test posted it over HTTP):
   * its callback is then held to Discord's rules: within 3 s of this call, and only once.
   */
  expectInteraction(interactionId: string, interactionToken: string): void;
  /** Every interaction answer: the callback (type 4 reply, type 5 defer) and later edits of the original. */
  interactionAnswers(): readonly FakeInteractionAnswer[];
  /** Forgets faults, requests, messages and nonces (channels, users and DM channels stay). */
  reset(): void;
  close(): Promise<void>;
}

/** Discord's epoch (2015-01-01), for snowflakes. */
const DISCORD_EPOCH = 1_420_070_400_000n;
const SNOWFLAKE = /^\d{17,20}$/;
/** How long Discord remembers an enforced nonce (documented as "a few minutes"). */
export const NONCE_WINDOW_MS = 2 * 60_000;

const DM_ROUTE = '/api/v10/users/@me/channels';
const GATEWAY_BOT_ROUTE = '/api/v10/gateway/bot';
const GUILD_COMMANDS_ROUTE = /^\/api\/v10\/applications\/(\d+)\/guilds\/(\d+)\/commands$/;
const INTERACTION_CALLBACK_ROUTE = /^\/api\/v10\/interactions\/(\d+)\/([^/]+)\/callback$/;
const ORIGINAL_RESPONSE_ROUTE = /^\/api\/v10\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/;
const MESSAGE_ROUTE = /^\/api\/v10\/channels\/([^/]+)\/messages$/;

/** Discord's limits on a message's content and embeds. */
export const discordLimits = {
  content: 2000,
  embeds: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footerText: 2048,
  authorName: 256,
  total: 6000,
} as const;

type ErrorTree = { [key: string]: ErrorTree | { code: string; message: string }[] };

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function discordErrorBody(code: number, message: string, errors?: ErrorTree): Record<string, unknown> {
  return errors ? { message, code, errors } : { message, code };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Discord's 50035 `errors` tree for a message over its limits, or undefined when it is within them. */
export function embedLimitErrors(body: Record<string, unknown>): ErrorTree | undefined {
  const errors: ErrorTree = {};
  const tooLong = (max: number) => [{ code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${max} or fewer in length.` }];
  if (text(body.content).length > discordLimits.content) errors.content = { _errors: tooLong(discordLimits.content) };
  const embeds = Array.isArray(body.embeds) ? (body.embeds as Record<string, unknown>[]) : [];
  const embedErrors: ErrorTree = {};
  if (embeds.length > discordLimits.embeds) {
    embedErrors._errors = [{ code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${discordLimits.embeds} or fewer in length.` }];
  }
  let total = 0;
  embeds.forEach((embed, index) => {
    const own: ErrorTree = {};
    const title = text(embed.title);
    const description = text(embed.description);
    const footer = text((embed.footer as Record<string, unknown> | undefined)?.text);
    const author = text((embed.author as Record<string, unknown> | undefined)?.name);
    total += title.length + description.length + footer.length + author.length;
    if (title.length > discordLimits.title) own.title = { _errors: tooLong(discordLimits.title) };
    if (description.length > discordLimits.description) own.description = { _errors: tooLong(discordLimits.description) };
    if (footer.length > discordLimits.footerText) own.footer = { text: { _errors: tooLong(discordLimits.footerText) } };
    if (author.length > discordLimits.authorName) own.author = { name: { _errors: tooLong(discordLimits.authorName) } };
    const fields = Array.isArray(embed.fields) ? (embed.fields as Record<string, unknown>[]) : [];
    const fieldErrors: ErrorTree = {};
    if (fields.length > discordLimits.fields) fieldErrors._errors = [{ code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${discordLimits.fields} or fewer in length.` }];
    fields.forEach((field, at) => {
      const name = text(field.name);
      const value = text(field.value);
      total += name.length + value.length;
      const one: ErrorTree = {};
      if (name.length > discordLimits.fieldName) one.name = { _errors: tooLong(discordLimits.fieldName) };
      if (value.length > discordLimits.fieldValue) one.value = { _errors: tooLong(discordLimits.fieldValue) };
      if (name.length === 0 || value.length === 0) {
        one[name.length === 0 ? 'name' : 'value'] = { _errors: [{ code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }] };
      }
      if (Object.keys(one).length > 0) fieldErrors[String(at)] = one;
    });
    if (Object.keys(fieldErrors).length > 0) own.fields = fieldErrors;
    if (Object.keys(own).length > 0) embedErrors[String(index)] = own;
  });
  if (total > discordLimits.total && embedErrors._errors === undefined) {
    embedErrors._errors = [{ code: 'MAX_EMBED_SIZE_EXCEEDED', message: `Embed size exceeds maximum size of ${discordLimits.total}` }];
  }
  if (Object.keys(embedErrors).length > 0) errors.embeds = embedErrors;
  return Object.keys(errors).length > 0 ? errors : undefined;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const token = options.token ?? 'fake-discord-token';
  const bucketLimit = options.bucketLimit ?? 50;
  const bucketWindowMs = options.bucketWindowMs ?? 1000;
  const dir = options.dir;

  const channels = new Map<string, FakeChannel>();
  const denied = new Set<string>();
  const dmChannelByUser = new Map<string, string>();
  let knownUsers: Set<string> | undefined;
  let refusingDms = new Set<string>();
  const faults: FakeDiscordFault[] = [];
  const requests: RecordedDiscordRequest[] = [];
  const stored: StoredDiscordMessage[] = [];
  const nonces = new Map<string, { message: StoredDiscordMessage; at: number }>();
  const buckets = new Map<string, { windowStart: number; used: number }>();
  const timers = new Set<NodeJS.Timeout>();
  let writes: Promise<void> = Promise.resolve();
  let sequence = 0n;

  const snowflake = (): string => {
    sequence = (sequence + 1n) & 0xfffn;
    return String(((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | (1n << 17n) | sequence);
  };
  const botUser = { id: '1100000000000000001', username: 'TradeMachine (fake)', discriminator: '0000', global_name: null, avatar: null, bot: true };

  const takeFault = (route: 'dm' | 'message' | undefined): FakeDiscordFault | undefined => {
    const index = faults.findIndex((fault) => fault.route === undefined || fault.route === route);
    const fault = faults[index];
    if (!fault) return undefined;
    const left = (fault.times ?? 1) - 1;
    if (left <= 0) faults.splice(index, 1);
    else faults[index] = { ...fault, times: left };
    return fault;
  };

  /** The bucket of a route (one per route template and channel, as Discord's major parameter). */
  const bucketFor = (bucketKey: string): { headers: Record<string, string>; exhausted: boolean; resetAfter: number } => {
    const now = Date.now();
    let bucket = buckets.get(bucketKey);
    if (!bucket || now - bucket.windowStart >= bucketWindowMs) {
      bucket = { windowStart: now, used: 0 };
      buckets.set(bucketKey, bucket);
    }
    const exhausted = bucket.used >= bucketLimit;
    if (!exhausted) bucket.used += 1;
    const resetAt = bucket.windowStart + bucketWindowMs;
    const resetAfter = Math.max(0, resetAt - now) / 1000;
    const template = bucketKey.split(':')[0] ?? bucketKey;
    return {
      exhausted,
      resetAfter,
      headers: {
        'x-ratelimit-limit': String(bucketLimit),
        'x-ratelimit-remaining': String(Math.max(0, bucketLimit - bucket.used)),
        'x-ratelimit-reset': (resetAt / 1000).toFixed(3),
        'x-ratelimit-reset-after': resetAfter.toFixed(3),
        'x-ratelimit-bucket': createHash('sha1').update(template).digest('hex').slice(0, 32),
      },
    };
  };

  const rateLimited = (res: ServerResponse, retryAfter: number, global: boolean, scope: string, bucketHeaders: Record<string, string>): void => {
    const headers: Record<string, string> = {
      ...(global ? {} : bucketHeaders),
      'retry-after': String(Math.ceil(retryAfter)),
      'x-ratelimit-scope': scope,
    };
    if (!global) {
      headers['x-ratelimit-remaining'] = '0';
      headers['x-ratelimit-reset-after'] = retryAfter.toFixed(3);
      headers['x-ratelimit-reset'] = ((Date.now() + retryAfter * 1000) / 1000).toFixed(3);
    } else {
      headers['x-ratelimit-global'] = 'true';
    }
    sendJson(res, 429, { message: 'You are being rate limited.', retry_after: retryAfter, global }, headers);
  };

  const persist = (message: StoredDiscordMessage): Promise<void> => {
    if (dir === undefined) return Promise.resolve();
    // The folder is made on the first message, so a fake that posts nothing leaves no trace.
    // A failed write fails this post with a 500 naming it (the chain goes on for the next ones).
    const write = writes.then(async () => {
      await mkdir(dir, { recursive: true });
      await appendFile(path.join(dir, 'messages.jsonl'), `${JSON.stringify(message)}\n`, 'utf8');
    });
    writes = write.catch(() => undefined);
    return write;
  };

  const openDm = (res: ServerResponse, body: Record<string, unknown>, headers: Record<string, string>): void => {
    const recipient = body.recipient_id;
    if (typeof recipient !== 'string' || !SNOWFLAKE.test(recipient)) {
      const message = recipient === undefined ? 'This field is required' : `Value "${String(recipient)}" is not snowflake.`;
      const errors = { recipient_id: { _errors: [{ code: recipient === undefined ? 'BASE_TYPE_REQUIRED' : 'NUMBER_TYPE_COERCE', message }] } };
      return sendJson(res, 400, discordErrorBody(50035, 'Invalid Form Body', errors), headers);
    }
    if (knownUsers !== undefined && !knownUsers.has(recipient)) return sendJson(res, 404, discordErrorBody(10013, 'Unknown User'), headers);
    let channelId = dmChannelByUser.get(recipient);
    if (channelId === undefined) {
      channelId = snowflake();
      dmChannelByUser.set(recipient, channelId);
      channels.set(channelId, { id: channelId, type: 'dm', recipientId: recipient });
    }
    sendJson(
      res,
      200,
      { id: channelId, type: 1, last_message_id: null, flags: 0, recipients: [{ id: recipient, username: `user${recipient.slice(-4)}`, discriminator: '0', global_name: null, avatar: null }] },
      headers,
    );
  };

  const postMessage = async (
    res: ServerResponse,
    channelId: string,
    body: Record<string, unknown>,
    headers: Record<string, string>,
    drop: boolean,
    holdMs = 0,
  ): Promise<void> => {
    const channel = channels.get(channelId);
    if (!channel) return sendJson(res, 404, discordErrorBody(10003, 'Unknown Channel'), headers);
    if (denied.has(channelId)) return sendJson(res, 403, discordErrorBody(50001, 'Missing Access'), headers);
    if (channel.type === 'dm' && refusingDms.has(channel.recipientId)) {
      return sendJson(res, 403, discordErrorBody(50007, 'Cannot send messages to this user'), headers);
    }
    const errors = embedLimitErrors(body);
    if (errors) return sendJson(res, 400, discordErrorBody(50035, 'Invalid Form Body', errors), headers);
    const content = text(body.content);
    const embeds = Array.isArray(body.embeds) ? (body.embeds as unknown[]) : [];
    const components = Array.isArray(body.components) ? (body.components as unknown[]) : [];
    if (content === '' && embeds.length === 0 && components.length === 0) {
      return sendJson(res, 400, discordErrorBody(50006, 'Cannot send an empty message'), headers);
    }
    const nonce = typeof body.nonce === 'string' || typeof body.nonce === 'number' ? body.nonce : null;
    const nonceKey = nonce !== null && body.enforce_nonce === true ? `${channelId}:${String(nonce)}` : undefined;
    const now = Date.now();
    const earlier = nonceKey !== undefined ? nonces.get(nonceKey) : undefined;
    let message: StoredDiscordMessage;
    if (earlier && now - earlier.at < NONCE_WINDOW_MS) {
      message = earlier.message;
    } else {
      message = { id: snowflake(), channel_id: channelId, channel, content, embeds, components, nonce, timestamp: new Date(now).toISOString() };
      stored.push(message);
      if (nonceKey !== undefined) nonces.set(nonceKey, { message, at: now });
      await persist(message);
    }
    if (drop) return void res.socket?.destroy();
    if (holdMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, holdMs);
        timers.add(timer);
      });
      if (res.destroyed || res.socket?.destroyed) return;
    }
    const { channel: _channel, ...fields } = message;
    sendJson(
      res,
      200,
      {
        type: 0,
        ...fields,
        author: botUser,
        tts: false,
        mention_everyone: false,
        mentions: [],
        mention_roles: [],
        attachments: [],
        pinned: false,
        edited_timestamp: null,
        flags: 0,
      },
      headers,
    );
  };

  let gatewayUrl = 'wss://gateway.discord.gg';
  const commandsByGuild = new Map<string, Record<string, unknown>[]>();
  const interactions = new Map<string, { at: number; answered: boolean; interactionId: string }>();
  const answers: FakeInteractionAnswer[] = [];

  /** The Gateway, command registration and interaction answers; false for every other route. */
  const handleCommandRoutes = async (req: IncomingMessage, res: ServerResponse, pathname: string, body: unknown): Promise<boolean> => {
    const botAuthorised = req.headers.authorization === `Bot ${token}`;
    if (pathname === GATEWAY_BOT_ROUTE && req.method === 'GET') {
      if (!botAuthorised) sendJson(res, 401, discordErrorBody(0, '401: Unauthorized'));
      else sendJson(res, 200, { url: gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 } });
      return true;
    }
    const commands = GUILD_COMMANDS_ROUTE.exec(pathname);
    if (commands) {
      if (!botAuthorised) return sendJson(res, 401, discordErrorBody(0, '401: Unauthorized')), true;
      const key = `${commands[1]}/${commands[2]}`;
      if (req.method === 'GET') return sendJson(res, 200, commandsByGuild.get(key) ?? []), true;
      if (req.method !== 'PUT' || !Array.isArray(body)) return sendJson(res, 400, discordErrorBody(50035, 'Invalid Form Body')), true;
      const existing = commandsByGuild.get(key) ?? [];
      const registered = (body as Record<string, unknown>[]).map((command) => ({
        id: existing.find((old) => old.name === command.name)?.id ?? snowflake(),
        application_id: commands[1],
        guild_id: commands[2],
        version: snowflake(),
        type: 1,
        default_member_permissions: null,
        ...command,
      }));
      commandsByGuild.set(key, registered);
      return sendJson(res, 200, registered), true;
    }
    const callback = INTERACTION_CALLBACK_ROUTE.exec(pathname);
    if (callback && req.method === 'POST') {
      const [, interactionId = '', interactionToken = ''] = callback;
      const known = interactions.get(interactionToken);
      if (known && performance.now() - known.at > INTERACTION_CALLBACK_WINDOW_MS) return sendJson(res, 404, discordErrorBody(10062, 'Unknown interaction')), true;
      if (known?.answered) return sendJson(res, 400, discordErrorBody(40060, 'Interaction has already been acknowledged.')), true;
      if (known) known.answered = true;
      answers.push({ kind: 'callback', interactionId, interactionToken, body, ...(known ? { afterMs: performance.now() - known.at } : {}) });
      res.writeHead(204).end();
      return true;
    }
    const original = ORIGINAL_RESPONSE_ROUTE.exec(pathname);
    if (original && req.method === 'PATCH') {
      const interactionToken = original[2] ?? '';
      const known = interactions.get(interactionToken);
      if (known && !known.answered) return sendJson(res, 404, discordErrorBody(10008, 'Unknown Message')), true;
      answers.push({ kind: 'edit_original', interactionToken, body, ...(known ? { afterMs: performance.now() - known.at } : {}) });
      return sendJson(res, 200, { id: snowflake(), type: 0, content: '', ...(body as object) }), true;
    }
    return false;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fake-discord');
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      body = undefined;
    }
    requests.push({ method: req.method ?? 'GET', path: url.pathname, headers: req.headers, body, at: performance.now() });
    if (await handleCommandRoutes(req, res, decodeURIComponent(url.pathname), body)) return;
    const messageMatch = MESSAGE_ROUTE.exec(url.pathname);
    const route = url.pathname === DM_ROUTE ? 'dm' : messageMatch ? 'message' : undefined;
    if (route === undefined || req.method !== 'POST') {
      return sendJson(res, route === undefined ? 404 : 405, discordErrorBody(0, route === undefined ? '404: Not Found' : '405: Method Not Allowed'));
    }
    if (req.headers.authorization !== `Bot ${token}`) return sendJson(res, 401, discordErrorBody(0, '401: Unauthorized'));
    const bucket = bucketFor(route === 'dm' ? 'POST /users/@me/channels' : `POST /channels/:id/messages:${messageMatch?.[1]}`);

    let fault = takeFault(route);
    if (fault?.kind === 'delay') {
      const ms = fault.ms;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, ms);
        timers.add(timer);
      });
      if (res.destroyed || req.socket.destroyed) return;
      fault = undefined;
    }
    if (fault?.kind === 'rateLimit') return rateLimited(res, fault.retryAfter, fault.global ?? false, fault.scope ?? (fault.global ? 'global' : 'user'), bucket.headers);
    if (fault?.kind === 'status') return sendJson(res, fault.status, discordErrorBody(0, `${fault.status}: ${fault.status >= 500 ? 'Internal Server Error' : 'Error'}`), bucket.headers);
    if (bucket.exhausted) return rateLimited(res, bucket.resetAfter, false, 'user', bucket.headers);
    if (raw !== '' && body === undefined) return sendJson(res, 400, discordErrorBody(50109, 'The request body contains invalid JSON.'), bucket.headers);
    const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    if (route === 'dm') return openDm(res, fields, bucket.headers);
    return postMessage(res, messageMatch?.[1] ?? '', fields, bucket.headers, fault?.kind === 'dropAfterPost', fault?.kind === 'holdAfterPost' ? fault.ms : 0);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, discordErrorBody(0, `500: ${error instanceof Error ? error.message : String(error)}`));
      else res.destroy();
    });
  });
  const listening = await listenOnLoopback(server);

  return {
    url: listening.baseUrl,
    apiBaseUrl: `${listening.baseUrl}/api`,
    token,
    addChannel: (id, name = `channel-${id.slice(-4)}`) => {
      channels.set(id, { id, type: 'text', name });
    },
    denyAccess: (channelId) => {
      denied.add(channelId);
    },
    setKnownUsers: (ids) => {
      knownUsers = new Set(ids);
    },
    setUsersRefusingDms: (ids) => {
      refusingDms = new Set(ids);
    },
    injectFaults: (...more) => {
      faults.push(...more);
    },
    messages: () => [...stored],
    requests,
    setGatewayUrl: (url) => {
      gatewayUrl = url;
    },
    guildCommands: (applicationId, guildId) => commandsByGuild.get(`${applicationId}/${guildId}`) ?? [],
    expectInteraction: (interactionId, interactionToken) => {
      interactions.set(interactionToken, { at: performance.now(), answered: false, interactionId });
    },
    interactionAnswers: () => answers,
    reset: () => {
      answers.length = 0;
      interactions.clear();
      faults.length = 0;
      requests.length = 0;
      stored.length = 0;
      nonces.clear();
      buckets.clear();
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      await listening.close();
      await writes;
    },
  };
}
