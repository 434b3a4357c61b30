import diagnosticsChannel from 'node:diagnostics_channel';
import { lazyInstruments } from './instruments.ts';

/** The upstreams the worker calls, as a bounded label; any other origin is `other`. */
export type UpstreamService = 'espn' | 'brevo' | 'mailgun' | 'google-sheets' | 'discord' | 'other';

/**
 * Hosts an upstream redirects to, by domain suffix: Google answers a sheet's CSV export with a 307 to
 * a per-request `*.googleusercontent.com` host, which no configured base URL names.
 */
const redirectTargets: readonly { readonly suffix: string; readonly service: Exclude<UpstreamService, 'other'> }[] = [
  { suffix: '.googleusercontent.com', service: 'google-sheets' },
];

function serviceOfRedirectTarget(origin: string | undefined): UpstreamService | undefined {
  if (!origin) return undefined;
  const host = new URL(origin).hostname;
  return redirectTargets.find((target) => host.endsWith(target.suffix))?.service;
}

/** Seconds to the response headers; ESPN's league call takes ~1 s, a provider's accept ~100 ms. */
export const upstreamDurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const instruments = lazyInstruments((meter) => ({
  duration: meter.createHistogram('worker.upstream.request.duration', {
    description: 'Upstream HTTP request duration in seconds, to the response headers, by service and status class',
    unit: 's',
    advice: { explicitBucketBoundaries: upstreamDurationBuckets },
  }),
}));

/** What undici publishes about a request; only the fields read here. */
interface UndiciRequest {
  readonly origin?: unknown;
}
interface RequestMessage {
  readonly request: UndiciRequest;
}
interface HeadersMessage extends RequestMessage {
  readonly response: { readonly statusCode: number };
}

/** 2xx…5xx, or `error` when no answer came (timeout, refused, reset, aborted). */
export function statusClass(statusCode: number | undefined): string {
  if (statusCode === undefined) return 'error';
  return statusCode >= 100 && statusCode < 600 ? `${Math.floor(statusCode / 100)}xx` : 'other';
}

function originOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  try {
    return new URL(String(value)).origin;
  } catch {
    return undefined;
  }
}

/**
 * Measures every upstream HTTP request in one place, through undici's diagnostics channels, so the
 * clients stay free of telemetry. `services` maps a base URL (only its origin counts) to its label;
 * the request's URL never becomes a label. Returns the unsubscribe function.
 */
export function observeUpstreamRequests(services: Readonly<Record<string, Exclude<UpstreamService, 'other'>>>): () => void {
  const serviceByOrigin = new Map<string, UpstreamService>();
  for (const [baseUrl, service] of Object.entries(services)) {
    const origin = originOf(baseUrl);
    if (origin) serviceByOrigin.set(origin, service);
  }
  const started = new WeakMap<UndiciRequest, { at: number; service: UpstreamService }>();
  const finish = (request: UndiciRequest, statusCode: number | undefined) => {
    const start = started.get(request);
    if (!start) return; // an error after the headers: already measured
    started.delete(request);
    instruments().duration.record((performance.now() - start.at) / 1000, { service: start.service, status_class: statusClass(statusCode) });
  };
  const onCreate = (message: unknown) => {
    const { request } = message as RequestMessage;
    const origin = originOf(request.origin);
    started.set(request, { at: performance.now(), service: (origin && serviceByOrigin.get(origin)) || serviceOfRedirectTarget(origin) || 'other' });
  };
  const onHeaders = (message: unknown) => {
    const { request, response } = message as HeadersMessage;
    finish(request, response.statusCode);
  };
  const onError = (message: unknown) => finish((message as RequestMessage).request, undefined);

  diagnosticsChannel.subscribe('undici:request:create', onCreate);
  diagnosticsChannel.subscribe('undici:request:headers', onHeaders);
  diagnosticsChannel.subscribe('undici:request:error', onError);
  return () => {
    diagnosticsChannel.unsubscribe('undici:request:create', onCreate);
    diagnosticsChannel.unsubscribe('undici:request:headers', onHeaders);
    diagnosticsChannel.unsubscribe('undici:request:error', onError);
  };
}
