/**
 * The HTTP interactions transport of the slash commands (issue 11): Discord POSTs each interaction
 * to `/discord/interactions`, signed with Ed25519 under the application's public key; the worker
 * answers PING, hands a chat-input command to the same implementation the Gateway uses (through a
 * `CommandResponder`), and answers the HTTP request with the command's reply or its deferral.
 */
import { readLimitedBody } from './read-body.ts';
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIInteractionResponseCallbackData } from 'discord-api-types/v10';
import type { Logger } from 'pino';
import type { CommandInteraction, CommandResponder } from '../jobs/discord/commands/command-responder.ts';
import { createReplayCache } from './email-webhooks.ts';
import type { RouteHandler } from './server.ts';

/** Limits of the interactions route. */
export const discordInteractionsDefaults = {
  /** The route's path. */
  path: '/discord/interactions',
  /** Largest request body accepted: 256 KB (an interaction is a few KB, more with resolved data); larger gets 413. */
  maxBodyBytes: 256 * 1024,
  /** Oldest (or furthest in the future) signed timestamp accepted, in seconds: 5 minutes, against replays. */
  maxAgeSeconds: 300,
  /**
   * When the command has neither replied nor deferred after this long, the transport defers on its
   * own (type 5), so Discord (3-second window) never sees a timeout: 2.5 s.
   */
  netMs: 2500,
  /** Command interaction ids remembered against replay (each for twice the freshness window): 10,000. */
  replayCacheEntries: 10_000,
} as const;

/** The DER prefix of an Ed25519 public key in SPKI form; the raw 32-byte key follows it. */
const ed25519SpkiPrefix = Buffer.from('302a300506032b6570032100', 'hex');

/** Discord's message flag for an answer only the caller sees. */
const EPHEMERAL = 64;

export interface DiscordInteractionsOptions {
  /** The application's public key: 64 hex digits (the raw 32-byte Ed25519 key). */
  publicKey: string;
  /** The application the interactions must be addressed to. */
  applicationId: string;
  /** Replaces the interaction's original response (PATCH /webhooks/{application}/{token}/messages/@original). */
  editOriginal: (interactionToken: string, data: APIInteractionResponseCallbackData) => Promise<void>;
  /** Runs the command with the responder this transport gives it. */
  dispatch: (interaction: CommandInteraction, responder: CommandResponder) => Promise<unknown>;
  log?: Logger;
  /** Default: discordInteractionsDefaults.maxBodyBytes. */
  maxBodyBytes?: number;
  /** The safety-net deferral, in ms. Default: discordInteractionsDefaults.netMs (tests shrink it). */
  netMs?: number;
  /** The freshness window of the signed timestamp, in seconds. Default: discordInteractionsDefaults.maxAgeSeconds. */
  maxAgeSeconds?: number;
}

/** A refusal with its HTTP status; its message is the response body's `error`. */
class InteractionRefusal extends Error {
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

/** The application's public key as a KeyObject, from its 64 hex digits. */
export function ed25519PublicKeyFromHex(hex: string): KeyObject {
  if (!/^[0-9a-f]{64}$/i.test(hex)) throw new Error('the Discord public key must be 64 hex digits');
  return createPublicKey({ key: Buffer.concat([ed25519SpkiPrefix, Buffer.from(hex, 'hex')]), format: 'der', type: 'spki' });
}

/** Reads the body up to `maxBytes`; a longer one is a 413. */
function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return readLimitedBody(request, maxBytes, (message) => new InteractionRefusal(413, message));
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Ed25519 over timestamp + raw body, under the application's key; then the timestamp's freshness. */
function verifySignature(key: KeyObject, signatureHex: string, timestamp: string, body: Buffer, maxAgeSeconds: number, nowMs: number): void {
  if (!/^[0-9a-f]{128}$/i.test(signatureHex)) throw new InteractionRefusal(401, 'invalid request signature');
  const signed = Buffer.concat([Buffer.from(timestamp, 'utf8'), body]);
  let valid = false;
  try {
    valid = verify(null, signed, key, Buffer.from(signatureHex, 'hex'));
  } catch {
    valid = false;
  }
  if (!valid) throw new InteractionRefusal(401, 'invalid request signature');
  // Checked after the signature, so only a genuine (replayed) request learns why it was refused.
  if (!/^\d{1,12}$/.test(timestamp)) throw new InteractionRefusal(401, 'invalid request signature');
  const ageSeconds = nowMs / 1000 - Number(timestamp);
  if (Math.abs(ageSeconds) > maxAgeSeconds) throw new InteractionRefusal(401, 'request timestamp too old or in the future');
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

type Parsed = { kind: 'ping' } | { kind: 'command'; interaction: CommandInteraction };

/** A verified body: a PING, or a chat-input command for this application; anything else is a 400. */
function parseInteraction(body: Buffer, applicationId: string): Parsed {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new InteractionRefusal(400, 'body is not valid JSON');
  }
  if (!isObject(json) || typeof json['type'] !== 'number') throw new InteractionRefusal(400, 'body is not an interaction');
  if (json['application_id'] !== applicationId) throw new InteractionRefusal(400, 'interaction for another application');
  if (json['type'] === 1) return { kind: 'ping' };
  if (json['type'] !== 2) throw new InteractionRefusal(400, `interaction type ${json['type']} not handled`);
  const data = json['data'];
  if (!isObject(data) || data['type'] !== 1 || typeof data['name'] !== 'string') throw new InteractionRefusal(400, 'not a chat-input command');
  if (typeof json['id'] !== 'string' || typeof json['token'] !== 'string' || json['token'] === '') throw new InteractionRefusal(400, 'interaction without id or token');
  return { kind: 'command', interaction: json as unknown as CommandInteraction };
}

/**
 * `POST /discord/interactions`: verifies Discord's signature (401 otherwise, nothing dispatched),
 * answers PING, and dispatches a chat-input command with a responder whose reply (type 4) or
 * deferral (type 5) is the HTTP answer, and whose follow-up edits the original response. A command
 * that has done neither within `netMs` is deferred by the transport. Other paths are not its own.
 */
export function createDiscordInteractionsHandler(options: DiscordInteractionsOptions): RouteHandler {
  const key = ed25519PublicKeyFromHex(options.publicKey);
  const maxBodyBytes = options.maxBodyBytes ?? discordInteractionsDefaults.maxBodyBytes;
  const netMs = options.netMs ?? discordInteractionsDefaults.netMs;
  const maxAgeSeconds = options.maxAgeSeconds ?? discordInteractionsDefaults.maxAgeSeconds;
  const log = options.log;
  // A signed request stays valid for the whole freshness window: a command seen once is not run again.
  const seen = createReplayCache(discordInteractionsDefaults.replayCacheEntries, 2 * maxAgeSeconds * 1000);

  return async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://worker').pathname.replace(/\/+$/, '');
    if (path !== discordInteractionsDefaults.path) return false;
    if (request.method !== 'POST') {
      sendJson(response, 405, { error: 'use POST' }, { allow: 'POST' });
      return true;
    }
    let parsed: Parsed;
    try {
      const signature = header(request, 'x-signature-ed25519');
      const timestamp = header(request, 'x-signature-timestamp');
      // Unsigned requests are refused before their body is read.
      if (signature === undefined || timestamp === undefined) throw new InteractionRefusal(401, 'invalid request signature');
      const body = await readBody(request, maxBodyBytes);
      verifySignature(key, signature, timestamp, body, maxAgeSeconds, Date.now());
      parsed = parseInteraction(body, options.applicationId);
      if (parsed.kind === 'command' && !seen.claim(parsed.interaction.id, Date.now())) throw new InteractionRefusal(401, 'interaction already received');
    } catch (error) {
      if (!(error instanceof InteractionRefusal)) throw error;
      log?.warn({ status: error.status, reason: error.message }, 'discord interaction refused');
      // A body left unread (401 before reading, 413) must not keep the connection for another request.
      sendJson(response, error.status, { error: error.message }, request.readableEnded ? {} : { connection: 'close' });
      if (!request.readableEnded) request.resume();
      return true;
    }

    if (parsed.kind === 'ping') {
      sendJson(response, 200, { type: 1 });
      return true;
    }
    await runCommand(parsed.interaction, response);
    return true;
  };

  /** Dispatches the command; resolves once the HTTP request is answered (the command may go on). */
  function runCommand(interaction: CommandInteraction, response: ServerResponse): Promise<void> {
    // Never the token: it is the credential that answers the interaction.
    const context = { interactionId: interaction.id, command: interaction.data.name };
    let state: 'pending' | 'replied' | 'deferred' = 'pending';
    let answered!: () => void;
    const httpAnswered = new Promise<void>((resolve) => {
      answered = resolve;
    });
    const answer = (body: unknown, next: 'replied' | 'deferred') => {
      state = next;
      clearTimeout(net);
      if (!response.writableEnded && !response.destroyed) sendJson(response, 200, body);
      answered();
    };
    const deferBody = { type: 5, data: { flags: EPHEMERAL } };
    const failure = { content: 'Something went wrong running this command. Please try again later.' };

    const responder: CommandResponder = {
      reply: async (data) => {
        if (state === 'pending') return answer({ type: 4, data: { ...data, flags: (data.flags ?? 0) | EPHEMERAL } }, 'replied');
        if (state === 'deferred') {
          // Deferred by the safety net before the command answered: its reply replaces the "thinking…".
          log?.info(context, 'discord command replied after its deferral; editing the original response');
          return options.editOriginal(interaction.token, data);
        }
        throw new Error(`interaction ${interaction.id} was already answered`);
      },
      defer: async () => {
        if (state === 'pending') return answer(deferBody, 'deferred');
        if (state === 'replied') throw new Error(`interaction ${interaction.id} was already answered`);
        // Already deferred (by the safety net): nothing more to say.
      },
      followUp: async (data) => {
        if (state === 'pending') throw new Error(`interaction ${interaction.id}: followUp before reply or defer`);
        await options.editOriginal(interaction.token, data);
      },
    };

    const net = setTimeout(() => {
      if (state !== 'pending') return;
      log?.warn({ ...context, netMs }, 'discord command neither replied nor deferred in time; deferring it');
      answer(deferBody, 'deferred');
    }, netMs);
    net.unref();
    // Discord gave up on this request (or the connection dropped): nothing left to answer over HTTP.
    response.once('close', () => {
      clearTimeout(net);
      answered();
    });

    void (async () => {
      try {
        await options.dispatch(interaction, responder);
      } catch (error) {
        log?.error({ ...context, err: error }, 'discord command failed');
        try {
          if (state === 'pending') answer({ type: 4, data: { ...failure, flags: EPHEMERAL } }, 'replied');
          else if (state === 'deferred') await options.editOriginal(interaction.token, failure);
        } catch (editError) {
          log?.error({ ...context, err: editError }, 'discord command failure could not be reported');
        }
        return;
      }
      if (state === 'pending') {
        log?.warn(context, 'discord command ended without answering');
        answer({ type: 4, data: { ...failure, flags: EPHEMERAL } }, 'replied');
      }
    })();
    return httpAnswered;
  }
}
