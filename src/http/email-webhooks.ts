import { readLimitedBody } from './read-body.ts';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { mailgunEvent } from '../jobs/email/delivery-status.ts';
import type { EmailStatusPayloadInput } from '../jobs/email/email-status.ts';
import type { RouteHandler } from './server.ts';

/** Limits of the webhook routes. */
export const emailWebhookDefaults = {
  /** Largest request body accepted: 64 KB (a provider's event is a few KB); larger gets 413. */
  maxBodyBytes: 64 * 1024,
  /** How far a Mailgun timestamp may lie in the future (clock skew): 60 seconds. */
  futureSkewSeconds: 60,
  /** Mailgun tokens remembered against replay: 10,000, each for the max age plus the skew. */
  replayCacheEntries: 10_000,
  /** Brevo events accepted in one batched request: 100. */
  maxBatchEvents: 100,
} as const;

/** Tokens seen recently, bounded in count (oldest dropped first) and in age. */
export interface ReplayCache {
  /** True when the token was not seen within its lifetime; remembers it. */
  claim(token: string, nowMs: number): boolean;
  /** Forgets a token, so a provider's retry of a request we could not take is not refused. */
  release(token: string): void;
  readonly size: number;
}

export function createReplayCache(maxEntries: number, ttlMs: number): ReplayCache {
  const seen = new Map<string, number>();
  return {
    claim(token, nowMs) {
      // A Map iterates in insertion order, and every entry has the same lifetime: expired ones are at the front.
      for (const [key, expiresAt] of seen) {
        if (expiresAt > nowMs) break;
        seen.delete(key);
      }
      const expiresAt = seen.get(token);
      if (expiresAt !== undefined && expiresAt > nowMs) return false;
      while (seen.size >= maxEntries) {
        const oldest = seen.keys().next().value;
        if (oldest === undefined) break;
        seen.delete(oldest);
      }
      seen.set(token, nowMs + ttlMs);
      return true;
    },
    release(token) {
      seen.delete(token);
    },
    get size() {
      return seen.size;
    },
  };
}

/** A refusal with its HTTP status; its message is the response body's `error`. */
class WebhookRefusal extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  response.end(JSON.stringify(body));
}

/** Reads the body up to `maxBytes`; a longer one is a 413. */
function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return readLimitedBody(request, maxBytes, (message) => new WebhookRefusal(413, message));
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new WebhookRefusal(400, 'body is not valid JSON');
  }
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The string at `path` inside `root`, non-empty after trimming, or a 400 naming the field. */
function requiredString(root: unknown, path: readonly string[], status = 400): string {
  let value: unknown = root;
  for (const key of path) value = isObject(value) ? value[key] : undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new WebhookRefusal(status, `missing field ${path.join('.')}`);
  return value.trim();
}

function hasStagingTag(tags: unknown): boolean {
  return Array.isArray(tags) && tags.some((tag) => typeof tag === 'string' && tag.trim().toLowerCase() === 'staging');
}

/** Seconds since the epoch (a number or a numeric string) as ISO time, if it is one. */
function isoFromEpochSeconds(value: unknown): string | undefined {
  const seconds = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(seconds) || seconds <= 0) return undefined;
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** Constant-time equality of two secrets of any length (compared as SHA-256 digests). */
function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Mailgun's signature: hex HMAC-SHA256 of timestamp + token under the webhook signing key. */
function mailgunSignatureValid(signingKey: string, timestamp: string, token: string, signature: string): boolean {
  if (!/^[0-9a-f]{64}$/i.test(signature)) return false;
  const expected = createHmac('sha256', signingKey).update(timestamp + token).digest();
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

/** Mailgun reports the Message-Id header without its angle brackets; email.send recorded it with them. */
function bracketed(messageId: string): string {
  return messageId.startsWith('<') && messageId.endsWith('>') ? messageId : `<${messageId}>`;
}

/** Verifies Mailgun's signature, freshness and token, then reads its event: one payload. */
function mailgunPayload(body: unknown, signingKey: string, maxAgeSeconds: number, replays: ReplayCache, nowMs: number): { payload: EmailStatusPayloadInput; token: string } {
  if (!isObject(body)) throw new WebhookRefusal(400, 'body must be a JSON object');
  const timestamp = requiredString(body, ['signature', 'timestamp'], 401);
  const token = requiredString(body, ['signature', 'token'], 401);
  const signature = requiredString(body, ['signature', 'signature'], 401);
  if (!mailgunSignatureValid(signingKey, timestamp, token, signature)) throw new WebhookRefusal(401, 'signature does not match');
  const signedAt = Number(timestamp);
  if (!/^\d{1,12}$/.test(timestamp)) throw new WebhookRefusal(401, 'signature.timestamp is not a Unix time');
  const nowSeconds = nowMs / 1000;
  if (nowSeconds - signedAt > maxAgeSeconds) throw new WebhookRefusal(401, `signature older than ${maxAgeSeconds} seconds`);
  if (signedAt - nowSeconds > emailWebhookDefaults.futureSkewSeconds) throw new WebhookRefusal(401, 'signature timestamp is in the future');

  const data = body['event-data'];
  const event = requiredString(body, ['event-data', 'event']);
  const messageId = requiredString(body, ['event-data', 'message', 'headers', 'message-id']);
  const severity = isObject(data) && typeof data['severity'] === 'string' ? data['severity'] : undefined;
  const occurredAt = isObject(data) ? isoFromEpochSeconds(data['timestamp']) : undefined;
  // Claimed last, so a request refused for its content does not burn the token of a fixed retry.
  if (!replays.claim(token, nowMs)) throw new WebhookRefusal(401, 'signature token already used');
  const payload: EmailStatusPayloadInput = {
    target: isObject(data) && hasStagingTag(data['tags']) ? 'staging' : 'production',
    messageId: bracketed(messageId),
    event: mailgunEvent(event.toLowerCase(), severity),
    provider: 'mailgun',
    ...(occurredAt ? { occurredAt } : {}),
  };
  return { payload, token };
}

/** Brevo's shared secret, from `?token=` or `Authorization: Bearer`. */
function brevoAuthorized(request: IncomingMessage, url: URL, secret: string): boolean {
  const fromQuery = url.searchParams.get('token');
  const header = request.headers.authorization;
  const fromHeader = header && /^Bearer\s+/i.test(header) ? header.replace(/^Bearer\s+/i, '').trim() : undefined;
  const given = fromQuery ?? fromHeader;
  return given !== undefined && given !== '' && secretsEqual(given, secret);
}

/** Brevo's event(s): one object, or an array when batching is turned on. Staging mail is tagged `staging`, as the owner does. */
function brevoPayloads(body: unknown): EmailStatusPayloadInput[] {
  const events = Array.isArray(body) ? body : [body];
  if (events.length === 0) throw new WebhookRefusal(400, 'no events in the body');
  if (events.length > emailWebhookDefaults.maxBatchEvents) throw new WebhookRefusal(413, `more than ${emailWebhookDefaults.maxBatchEvents} events`);
  return events.map((item, index) => {
    const prefix = Array.isArray(body) ? `[${index}].` : '';
    if (!isObject(item)) throw new WebhookRefusal(400, `${Array.isArray(body) ? `[${index}]` : 'body'} must be a JSON object`);
    const field = (name: string) => {
      try {
        return requiredString(item, [name]);
      } catch {
        throw new WebhookRefusal(400, `missing field ${prefix}${name}`);
      }
    };
    const event = field('event');
    const messageId = field('message-id');
    const occurredAt = isoFromEpochSeconds(item['ts_event']);
    return {
      target: hasStagingTag(item['tags']) ? 'staging' : 'production',
      messageId,
      event,
      provider: 'brevo',
      ...(occurredAt ? { occurredAt } : {}),
    } satisfies EmailStatusPayloadInput;
  });
}

/**
 * The providers' delivery webhooks on the worker's own port: `POST /webhooks/mailgun` (signed) and
 * `POST /webhooks/brevo` (shared secret), each present only when its secret is configured. A
 * verified event is enqueued as `email.status` and answered 200 at once; the job does the rest.
 */
export function createEmailWebhookHandler(
  settings: Config['emailWebhooks'],
  enqueue: (payload: EmailStatusPayloadInput) => Promise<unknown>,
  log?: Logger,
): RouteHandler {
  const replays = createReplayCache(emailWebhookDefaults.replayCacheEntries, (settings.maxAgeSeconds + emailWebhookDefaults.futureSkewSeconds) * 1000);
  return async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://worker');
    const path = url.pathname.replace(/\/+$/, '');
    const provider = path === '/webhooks/mailgun' ? 'mailgun' : path === '/webhooks/brevo' ? 'brevo' : undefined;
    if (provider === undefined) return false;
    const mailgunKey = settings.mailgunSigningKey;
    const brevoSecret = settings.brevoSecret;
    if (provider === 'mailgun' && !mailgunKey) return false;
    if (provider === 'brevo' && !brevoSecret) return false;
    if (request.method !== 'POST') {
      sendJson(response, 405, { error: 'use POST' }, { allow: 'POST' });
      return true;
    }
    let claimedToken: string | undefined;
    try {
      // Brevo's secret is checked before the body is read: an unauthenticated caller gets nothing else.
      if (provider === 'brevo' && !brevoAuthorized(request, url, brevoSecret!)) throw new WebhookRefusal(401, 'missing or wrong webhook secret');
      const body = parseJson(await readBody(request, emailWebhookDefaults.maxBodyBytes));
      let payloads: EmailStatusPayloadInput[];
      if (provider === 'mailgun') {
        const { payload, token } = mailgunPayload(body, mailgunKey!, settings.maxAgeSeconds, replays, Date.now());
        claimedToken = token;
        payloads = [payload];
      } else {
        payloads = brevoPayloads(body);
      }
      for (const payload of payloads) await enqueue(payload);
      sendJson(response, 200, { ok: true, enqueued: payloads.length });
    } catch (error) {
      if (error instanceof WebhookRefusal) {
        log?.warn({ provider, status: error.status, reason: error.message }, 'email webhook refused');
        // A body left unread (413, Brevo's 401) must not keep the connection for another request.
        sendJson(response, error.status, { error: error.message }, request.readableEnded ? {} : { connection: 'close' });
        if (!request.readableEnded) request.resume();
        return true;
      }
      // Could not enqueue: the provider retries later, and its retry must not look like a replay.
      if (claimedToken !== undefined) replays.release(claimedToken);
      log?.error({ provider, err: error }, 'email webhook could not enqueue email.status');
      sendJson(response, 503, { error: 'could not enqueue the event; retry later' });
    }
    return true;
  };
}
