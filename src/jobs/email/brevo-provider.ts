import { Agent } from 'undici';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import { PermanentJobError, RetryableJobError } from '../outcomes.ts';
import type { Mailer } from './mailer.ts';
import type { OutgoingEmail, SentEmail } from './outgoing-email.ts';
import { headerValue, parseJson, postToProvider, safeProviderText, type ProviderResponse } from './provider-http.ts';
import { rateLimited } from './rate-limit.ts';

const provider = 'brevo';
const successBody = z.object({ messageId: z.string().min(1) });
const errorBody = z.object({ code: z.string().optional(), message: z.string().optional() });

/** Brevo's transactional API (`POST /v3/smtp/email`), authenticated by the `api-key` header. */
export function createBrevoMailer(config: Config['email']): Mailer {
  const apiKey = config.brevo.apiKey;
  if (!apiKey) throw new Error('BREVO_API_KEY is required when EMAIL_PROVIDER=brevo');
  const agent = new Agent({ connections: 10 });
  const url = `${config.brevo.baseUrl}/v3/smtp/email`;

  return {
    async send(message: OutgoingEmail, signal?: AbortSignal): Promise<SentEmail> {
      const body = JSON.stringify({
        sender: { name: config.from.name, email: config.from.address },
        to: [message.to.name ? { email: message.to.address, name: message.to.name } : { email: message.to.address }],
        subject: message.subject,
        htmlContent: message.html,
        textContent: message.text,
        ...(message.tags && message.tags.length > 0 ? { tags: message.tags } : {}),
        // Brevo processes one request per idempotencyKey (its TTL is minutes); the Message-ID stays
        // stable beyond that, so a repeat that still slips through folds in the recipient's client.
        headers: { ...message.headers, 'Message-ID': message.messageId, idempotencyKey: message.idempotencyKey },
      });
      const response = await postToProvider(
        agent,
        { url, headers: { 'api-key': apiKey, 'content-type': 'application/json', accept: 'application/json' }, body },
        { provider, timeoutMs: config.timeoutMs, signal },
      );
      return interpretBrevoResponse(response, apiKey);
    },
    close: () => agent.close(),
  };
}

/** Maps Brevo's answer to the message id or to a job outcome. */
function interpretBrevoResponse(response: ProviderResponse, apiKey: string): SentEmail {
  const json = parseJson(response.body);
  if (response.status === 201 || response.status === 200) {
    const parsed = successBody.safeParse(json);
    // Brevo accepted the message: retrying could send it twice, so a malformed answer is permanent.
    if (!parsed.success) throw new PermanentJobError('EMAIL_BAD_RESPONSE', `brevo accepted the message but returned no messageId (HTTP ${response.status})`);
    return { provider, messageId: parsed.data.messageId };
  }
  const error = errorBody.safeParse(json);
  const described = error.success && (error.data.code || error.data.message)
    ? `${error.data.code ?? 'error'}: ${error.data.message ?? ''}`
    : response.body;
  const detail = safeProviderText(described, apiKey);
  const status = response.status;
  if (status === 400) throw new PermanentJobError('EMAIL_REJECTED', `brevo rejected the message (HTTP 400 ${detail})`);
  if (status === 401) throw new PermanentJobError('EMAIL_UNAUTHORIZED', `brevo refused the API key (HTTP 401 ${detail})`);
  if (status === 403) throw new PermanentJobError('EMAIL_FORBIDDEN', `brevo forbids this request (HTTP 403 ${detail})`);
  if (status === 429) throw rateLimited(provider, resetSeconds(response));
  if (status >= 500) throw new RetryableJobError('EMAIL_PROVIDER_UNAVAILABLE', `brevo failed (HTTP ${status} ${detail})`);
  throw new PermanentJobError('EMAIL_PROVIDER_ERROR', `brevo answered HTTP ${status} (${detail})`);
}

/** `x-sib-ratelimit-reset`: seconds until the rate-limit window resets. */
function resetSeconds(response: ProviderResponse): number | undefined {
  const raw = headerValue(response.headers, 'x-sib-ratelimit-reset');
  if (raw === undefined || raw.trim() === '') return undefined;
  const seconds = Number(raw);
  return Number.isFinite(seconds) ? seconds : undefined;
}
