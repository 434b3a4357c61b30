import { request, type Agent, type FormData } from 'undici';
import { RetryableJobError } from '../outcomes.ts';

/** A provider's answer, body read as text (error bodies are small; success bodies are tiny JSON). */
export interface ProviderResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export interface ProviderRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | FormData;
}

export interface ProviderRequestOptions {
  /** Named in error messages ("brevo did not answer …"). */
  readonly provider: string;
  readonly timeoutMs: number;
  /** The job's signal: shutdown or expiry aborts the request. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * POSTs to a provider with a whole-request timeout. Failures before any answer (timeout, refused
 * connection, shutdown) become RetryableJobError: the provider may be back on the next attempt.
 */
export async function postToProvider(agent: Agent, req: ProviderRequest, options: ProviderRequestOptions): Promise<ProviderResponse> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    const response = await request(req.url, {
      method: 'POST',
      headers: req.headers,
      body: req.body,
      signal,
      dispatcher: agent,
    });
    const body = await response.body.text();
    return { status: response.statusCode, headers: response.headers, body };
  } catch (error) {
    if (options.signal?.aborted) {
      throw new RetryableJobError('EMAIL_ABORTED', `${options.provider} request aborted: the job is stopping`, { cause: error });
    }
    if (timeout.aborted) {
      throw new RetryableJobError('EMAIL_TIMEOUT', `${options.provider} did not answer within ${options.timeoutMs} ms`, { cause: error });
    }
    const detail = error instanceof Error ? ((error as Error & { code?: unknown }).code ?? error.message) : String(error);
    throw new RetryableJobError('EMAIL_UNREACHABLE', `${options.provider} could not be reached (${String(detail)})`, { cause: error });
  }
}

/** The first value of a header, as undici may hand back a list. */
export function headerValue(headers: ProviderResponse['headers'], name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * A provider's error text, shortened and with the API key cut out: provider messages end up in
 * job errors and logs, where a key must never appear even if a provider echoes it.
 */
export function safeProviderText(text: string, secret: string | undefined, maxLength = 300): string {
  const scrubbed = secret ? text.split(secret).join('[redacted]') : text;
  const oneLine = scrubbed.replace(/\s+/g, ' ').trim();
  return oneLine.length > maxLength ? `${oneLine.slice(0, maxLength)}…` : oneLine;
}

/** Parses a JSON body, or undefined when it isn't JSON (proxies answer with HTML, Mailgun with plain text). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
