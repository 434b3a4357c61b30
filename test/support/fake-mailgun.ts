/**
 * A local stand-in for Mailgun's messages API (`POST /v3/{domain}/messages`) that keeps its
 * contract: Basic auth `api:<key>` (401 is plain text `Forbidden`), multipart/form-data fields,
 * 200 `{id, message}`, 400 `{message}`, 404 unknown domain, 413 too large, 429 with the wait only
 * in the message text, 500. It parses the multipart body, records what it accepted, and can be
 * told to fail the next requests.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback-server.ts';

export type MailgunFault =
  | { readonly kind: 'status'; readonly status: number; readonly body: string; readonly contentType?: string }
  | { readonly kind: 'hang' }
  | { readonly kind: 'reset' };

export interface MailgunMessage {
  readonly id: string;
  readonly domain: string;
  /** Every form field, in order; repeated fields (o:tag) appear once per value. */
  readonly fields: readonly (readonly [string, string])[];
  /** The first value of a field. */
  get(name: string): string | undefined;
  /** Every value of a field. */
  getAll(name: string): string[];
}

/** Mailgun's documented error answers, ready for `failNext`. */
export const mailgunFaults = {
  badRequest: (message = "'to' parameter is not a valid address. please check documentation"): MailgunFault => ({
    kind: 'status',
    status: 400,
    body: JSON.stringify({ message }),
  }),
  forbidden: (): MailgunFault => ({ kind: 'status', status: 401, body: 'Forbidden', contentType: 'text/plain; charset=utf-8' }),
  domainNotFound: (domain: string): MailgunFault => ({ kind: 'status', status: 404, body: JSON.stringify({ message: `Domain not found: ${domain}` }) }),
  tooLarge: (): MailgunFault => ({ kind: 'status', status: 413, body: JSON.stringify({ message: 'Request entity too large' }) }),
  rateLimited: (message: string): MailgunFault => ({ kind: 'status', status: 429, body: JSON.stringify({ message }) }),
  serverError: (): MailgunFault => ({ kind: 'status', status: 500, body: JSON.stringify({ message: 'Internal Server Error' }) }),
} as const;

export interface FakeMailgun {
  /** Use as MAILGUN_BASE_URL. */
  readonly baseUrl: string;
  readonly messages: MailgunMessage[];
  requestCount(): number;
  failNext(count: number, fault: MailgunFault): void;
  close(): Promise<void>;
}

/** Mailgun's message size limit is 25 MB; the fake uses a small one so tests can hit it. */
export const fakeMailgunMaxBytes = 256 * 1024;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Parses multipart/form-data with the platform's own parser (what a real server would accept). */
async function parseForm(body: Buffer, contentType: string): Promise<[string, string][]> {
  const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  const fields: [string, string][] = [];
  for (const [name, value] of form.entries()) fields.push([name, typeof value === 'string' ? value : await value.text()]);
  return fields;
}

export async function startFakeMailgun(options: { apiKey?: string; domain?: string } = {}): Promise<FakeMailgun> {
  const apiKey = options.apiKey ?? 'test-key';
  const domain = options.domain ?? 'mg.example.test';
  const expectedAuth = `Basic ${Buffer.from(`api:${apiKey}`).toString('base64')}`;
  const messages: MailgunMessage[] = [];
  const faults: MailgunFault[] = [];
  let requests = 0;

  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const route = /^\/v3\/([^/]+)\/messages$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !route?.[1]) {
      sendJson(res, 404, { message: 'Not Found' });
      return;
    }
    requests += 1;
    const fault = faults.shift();
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      res.writeHead(fault.status, { 'content-type': fault.contentType ?? 'application/json' });
      res.end(fault.body);
      return;
    }
    if (req.headers.authorization !== expectedAuth) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Forbidden');
      return;
    }
    const requestedDomain = decodeURIComponent(route[1]);
    if (requestedDomain !== domain) {
      sendJson(res, 404, { message: `Domain not found: ${requestedDomain}` });
      return;
    }
    if (body.length > fakeMailgunMaxBytes) {
      sendJson(res, 413, { message: 'Request entity too large' });
      return;
    }
    const contentType = req.headers['content-type'] ?? '';
    if (!contentType.startsWith('multipart/form-data')) {
      sendJson(res, 400, { message: 'Expected multipart/form-data' });
      return;
    }
    let fields: [string, string][];
    try {
      fields = await parseForm(body, contentType);
    } catch {
      sendJson(res, 400, { message: 'Malformed multipart body' });
      return;
    }
    const get = (name: string) => fields.find(([field]) => field === name)?.[1];
    for (const required of ['from', 'to', 'subject']) {
      if (!get(required)) {
        sendJson(res, 400, { message: `'${required}' parameter is missing` });
        return;
      }
    }
    if (!get('text') && !get('html')) {
      sendJson(res, 400, { message: "Need at least one of 'text' or 'html' parameters specified" });
      return;
    }
    const id = `<${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}.${randomUUID()}@${domain}>`;
    messages.push({
      id,
      domain: requestedDomain,
      fields,
      get,
      getAll: (name) => fields.filter(([field]) => field === name).map(([, value]) => value),
    });
    sendJson(res, 200, { id, message: 'Queued. Thank you.' });
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
