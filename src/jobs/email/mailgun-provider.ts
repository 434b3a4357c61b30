import { Agent, FormData } from 'undici';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import { PermanentJobError, RetryableJobError } from '../outcomes.ts';
import type { Mailer } from './mailer.ts';
import { formatAddress, type OutgoingEmail, type SentEmail } from './outgoing-email.ts';
import { headerValue, parseJson, postToProvider, safeProviderText, type ProviderResponse } from './provider-http.ts';
import { rateLimited } from './rate-limit.ts';

const provider = 'mailgun';
const successBody = z.object({ id: z.string().min(1) });
const messageBody = z.object({ message: z.string() });

/** Mailgun's messages API (`POST /v3/{domain}/messages`), multipart form, Basic auth `api:<key>`. */
export function createMailgunMailer(config: Config['email']): Mailer {
  const { apiKey, domain } = config.mailgun;
  if (!apiKey || !domain) throw new Error('MAILGUN_API_KEY and MAILGUN_DOMAIN are required when EMAIL_PROVIDER=mailgun');
  const agent = new Agent({ connections: 10 });
  const url = `${config.mailgun.baseUrl}/v3/${encodeURIComponent(domain)}/messages`;
  const authorization = `Basic ${Buffer.from(`api:${apiKey}`).toString('base64')}`;

  return {
    async send(message: OutgoingEmail, signal?: AbortSignal): Promise<SentEmail> {
      const form = new FormData();
      form.append('from', formatAddress(config.from.address, config.from.name));
      form.append('to', formatAddress(message.to.address, message.to.name));
      form.append('subject', message.subject);
      form.append('text', message.text);
      form.append('html', message.html);
      for (const tag of message.tags ?? []) form.append('o:tag', tag);
      for (const [name, value] of Object.entries(message.headers ?? {})) form.append(`h:${name}`, value);
      // Mailgun takes no idempotency key; a stable Message-ID makes a repeat fold into one message.
      form.append('h:Message-Id', message.messageId);
      const response = await postToProvider(
        agent,
        { url, headers: { authorization, accept: 'application/json' }, body: form },
        { provider, timeoutMs: config.timeoutMs, signal },
      );
      return interpretMailgunResponse(response, apiKey, domain);
    },
    close: () => agent.close(),
  };
}

/** Maps Mailgun's answer to the message id or to a job outcome. */
function interpretMailgunResponse(response: ProviderResponse, apiKey: string, domain: string): SentEmail {
  const json = parseJson(response.body);
  const status = response.status;
  if (status === 200) {
    const parsed = successBody.safeParse(json);
    // Mailgun queued the message: retrying could send it twice, so a malformed answer is permanent.
    if (!parsed.success) throw new PermanentJobError('EMAIL_BAD_RESPONSE', 'mailgun accepted the message but returned no id (HTTP 200)');
    return { provider, messageId: parsed.data.id };
  }
  const message = messageBody.safeParse(json);
  const detail = safeProviderText(message.success ? message.data.message : response.body, apiKey);
  if (status === 400) throw new PermanentJobError('EMAIL_REJECTED', `mailgun rejected the message (HTTP 400 ${detail})`);
  if (status === 401) throw new PermanentJobError('EMAIL_UNAUTHORIZED', `mailgun refused the API key (HTTP 401 ${detail})`);
  if (status === 403) throw new PermanentJobError('EMAIL_FORBIDDEN', `mailgun forbids this request (HTTP 403 ${detail})`);
  if (status === 404) throw new PermanentJobError('EMAIL_DOMAIN_NOT_FOUND', `mailgun does not know the sending domain "${domain}" (HTTP 404 ${detail})`);
  if (status === 413) throw new PermanentJobError('EMAIL_TOO_LARGE', `mailgun refused the message as too large (HTTP 413)`);
  // 420 is Mailgun's own "sending limit reached" status; it behaves like 429.
  if (status === 429 || status === 420) throw rateLimited(provider, retryAfterSeconds(response, message.success ? message.data.message : response.body));
  if (status >= 500) throw new RetryableJobError('EMAIL_PROVIDER_UNAVAILABLE', `mailgun failed (HTTP ${status} ${detail})`);
  throw new PermanentJobError('EMAIL_PROVIDER_ERROR', `mailgun answered HTTP ${status} (${detail})`);
}

/**
 * Mailgun states the wait only in its message text ("try again after Mon, 25 Aug 2025 07:00:31 UTC"
 * or "try again in 15 seconds"); a Retry-After header is honoured too should it send one.
 */
export function retryAfterSeconds(response: ProviderResponse, text: string, now: number = Date.now()): number | undefined {
  const header = headerValue(response.headers, 'retry-after');
  if (header !== undefined && /^\d+$/.test(header.trim())) return Number(header);
  const inSeconds = /try again in (\d+) ?(?:s|sec|secs|seconds?)\b/i.exec(text);
  if (inSeconds?.[1]) return Number(inSeconds[1]);
  const after = /try again after ([^"]+?)(?:\.|"|$)/i.exec(text);
  if (after?.[1]) {
    const at = Date.parse(after[1]);
    if (Number.isFinite(at)) return Math.max(0, (at - now) / 1000);
  }
  return undefined;
}
