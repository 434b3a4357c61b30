/**
 * A local OTLP/HTTP traces receiver: keeps every POST as it arrived (path, headers, body) and
 * decodes the http/json ones into flat spans, so tests assert on what the real exporters send.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { listenOnLoopback } from './loopback-server.ts';

/** One export request as the collector received it. */
export interface ReceivedExport {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** A span from an http/json export, flattened; attributes by key with their plain values. */
export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  /** OTLP SpanKind number: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  readonly attributes: Readonly<Record<string, unknown>>;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  readonly status: { readonly code: number; readonly message?: string };
  readonly events: readonly { readonly name: string }[];
  readonly links: readonly { readonly traceId: string; readonly spanId: string }[];
  /** The exporting process's resource attributes (service.name). */
  readonly resource: Readonly<Record<string, unknown>>;
}

export interface FakeOtlpCollector {
  /** The base URL, as OTEL_EXPORTER_OTLP_ENDPOINT takes it (exports arrive at /v1/traces). */
  readonly endpoint: string;
  readonly exports: readonly ReceivedExport[];
  /** Every span of every http/json export so far. */
  spans(): ReceivedSpan[];
  /** Waits until a span matches, or fails after `timeoutMs`. */
  waitForSpan(match: (span: ReceivedSpan) => boolean, timeoutMs?: number): Promise<ReceivedSpan>;
  close(): Promise<void>;
}

interface OtlpAnyValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
}

interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

interface OtlpJsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpKeyValue[];
  status?: { code?: number; message?: string };
  events?: { name: string }[];
  links?: { traceId: string; spanId: string }[];
}

interface OtlpJsonRequest {
  resourceSpans?: { resource?: { attributes?: OtlpKeyValue[] }; scopeSpans?: { spans?: OtlpJsonSpan[] }[] }[];
}

async function listenOn(server: Server, port: number): Promise<{ baseUrl: string; close(): Promise<void> }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function plain(value: OtlpAnyValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  return undefined;
}

function attributesOf(list: readonly OtlpKeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((entry) => [entry.key, plain(entry.value)]));
}

/** The spans of one http/json export body. */
export function decodeJsonSpans(body: Buffer): ReceivedSpan[] {
  const request = JSON.parse(body.toString('utf8')) as OtlpJsonRequest;
  return (request.resourceSpans ?? []).flatMap((resourceSpans) => {
    const resource = attributesOf(resourceSpans.resource?.attributes);
    return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => ({
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId || undefined,
        name: span.name,
        kind: span.kind,
        attributes: attributesOf(span.attributes),
        status: { code: span.status?.code ?? 0, ...(span.status?.message ? { message: span.status.message } : {}) },
        events: span.events ?? [],
        links: span.links ?? [],
        resource,
      })),
    );
  });
}

/**
 * Starts the collector on loopback, on `port` (4318 is where an SDK left to its defaults sends)
 * or a free one; it answers every export with 200 and an empty body.
 */
export async function startFakeOtlpCollector(port = 0): Promise<FakeOtlpCollector> {
  const exports: ReceivedExport[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      exports.push({ path: request.url ?? '/', headers: request.headers, body: Buffer.concat(chunks) });
      const json = request.headers['content-type']?.includes('json') === true;
      response.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      response.end(json ? '{}' : '');
    });
  });
  const listening = port === 0 ? await listenOnLoopback(server) : await listenOn(server, port);
  const spans = () => exports.filter((item) => item.headers['content-type']?.includes('json') === true).flatMap((item) => decodeJsonSpans(item.body));
  return {
    endpoint: listening.baseUrl,
    exports,
    spans,
    waitForSpan: async (match, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = spans().find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching span after ${timeoutMs} ms; got: ${spans().map((span) => span.name).join(', ') || 'none'}`);
        await sleep(50);
      }
    },
    close: listening.close,
  };
}
