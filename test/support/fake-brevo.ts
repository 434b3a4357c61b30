/**
 * A local stand-in for Brevo's transactional API (`POST /v3/smtp/email`) that keeps its contract:
 * `api-key` header, JSON body, 201 `{messageId}`, errors as `{code, message}`, 429 with the
 * `x-sib-ratelimit-*` headers, and `headers.idempotencyKey` (a request whose key was seen before is
 * answered with the first message's id and sends nothing). It records what it accepted and can be
 * told to fail the next requests.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback-server.ts';

/** A canned failure: an HTTP answer, a request left hanging (timeout), or a dropped connection. */
export type BrevoFault =
  | { readonly kind: 'status'; readonly status: number; readonly body: string; readonly headers?: Readonly<Record<string, string>> }
  | { readonly kind: 'hang' }
  | { readonly kind: 'reset' };

export interface BrevoMessage {
  readonly messageId: string;
  readonly apiKey: string;
  readonly body: BrevoBody;
}

export interface BrevoBody {
  readonly sender?: { readonly email?: string; readonly name?: string };
  readonly to?: readonly { readonly email?: string; readonly name?: string }[];
  readonly subject?: string;
  readonly htmlContent?: string;
  readonly textContent?: string;
  readonly tags?: readonly string[];
  readonly headers?: Readonly<Record<string, string>>;
}

/** Brevo's documented error answers, ready for `failNext`. */
export const brevoFaults = {
  badRequest: (message = 'valid sender email required'): BrevoFault => ({
    kind: 'status',
    status: 400,
    body: JSON.stringify({ code: 'invalid_parameter', message }),
  }),
  unauthorized: (): BrevoFault => ({ kind: 'status', status: 401, body: JSON.stringify({ code: 'unauthorized', message: 'Key not found' }) }),
  rateLimited: (resetSeconds: number): BrevoFault => ({
    kind: 'status',
    status: 429,
    body: JSON.stringify({ code: 'too_many_requests', message: 'The expected rate limit is exceeded.' }),
    headers: { 'x-sib-ratelimit-limit': '10', 'x-sib-ratelimit-remaining': '0', 'x-sib-ratelimit-reset': String(resetSeconds) },
  }),
  serverError: (status = 500): BrevoFault => ({ kind: 'status', status, body: JSON.stringify({ code: 'internal_error', message: 'Internal Server Error' }) }),
} as const;

export interface FakeBrevo {
  /** Use as BREVO_BASE_URL. */
  readonly baseUrl: string;
  /** Messages accepted with 201, oldest first. */
  readonly messages: BrevoMessage[];
  /** Every request that reached the endpoint, accepted or not. */
  requestCount(): number;
  /** The next `count` requests get `fault` instead of the normal handling. */
  failNext(count: number, fault: BrevoFault): void;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** What real Brevo checks before accepting; the first problem found, or undefined. */
function validate(body: BrevoBody): string | undefined {
  if (!body.sender?.email) return 'valid sender email required';
  if (!Array.isArray(body.to) || body.to.length === 0 || body.to.some((to) => !to.email)) return 'to is missing';
  if (!body.subject) return 'subject is missing';
  if (!body.htmlContent && !body.textContent) return 'htmlContent or textContent is missing';
  return undefined;
}

export async function startFakeBrevo(options: { apiKey?: string } = {}): Promise<FakeBrevo> {
  const apiKey = options.apiKey ?? 'test-key';
  const messages: BrevoMessage[] = [];
  const byIdempotencyKey = new Map<string, string>();
  const faults: BrevoFault[] = [];
  let requests = 0;

  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    if (req.method !== 'POST' || req.url !== '/v3/smtp/email') {
      sendJson(res, 404, { code: 'not_found', message: 'Invalid route' });
      return;
    }
    requests += 1;
    const fault = faults.shift();
    if (fault?.kind === 'hang') return; // never answers: the client's timeout must fire
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      res.writeHead(fault.status, { 'content-type': 'application/json; charset=utf-8', ...fault.headers });
      res.end(fault.body);
      return;
    }
    const key = req.headers['api-key'];
    if (typeof key !== 'string' || key !== apiKey) {
      sendJson(res, 401, { code: 'unauthorized', message: 'Key not found' });
      return;
    }
    let parsed: BrevoBody;
    try {
      parsed = JSON.parse(body) as BrevoBody;
    } catch {
      sendJson(res, 400, { code: 'bad_request', message: 'Input must be a valid JSON object' });
      return;
    }
    const problem = validate(parsed);
    if (problem) {
      sendJson(res, 400, { code: 'missing_parameter', message: problem });
      return;
    }
    const idempotencyKey = parsed.headers?.idempotencyKey;
    const earlier = idempotencyKey === undefined ? undefined : byIdempotencyKey.get(idempotencyKey);
    if (earlier) {
      sendJson(res, 201, { messageId: earlier });
      return;
    }
    const messageId = `<${Date.now()}.${randomUUID()}@smtp-relay.mailin.fr>`;
    if (idempotencyKey !== undefined) byIdempotencyKey.set(idempotencyKey, messageId);
    messages.push({ messageId, apiKey: key, body: parsed });
    sendJson(res, 201, { messageId });
  });

  const listening = await listenOnLoopback(server);
  return {
    baseUrl: listening.baseUrl,
    messages,
    requestCount: () => requests,
    failNext: (count, fault) => {
      for (let i = 0; i < count; i += 1) faults.push(fault);
    },
    close: listening.close,
  };
}
