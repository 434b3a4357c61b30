import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import { createBrevoMailer } from './brevo-provider.ts';
import { createDevMailbox } from './dev-mailbox.ts';
import { createMailgunMailer } from './mailgun-provider.ts';
import type { OutgoingEmail, SentEmail } from './outgoing-email.ts';

export type { OutgoingEmail, SentEmail } from './outgoing-email.ts';

/** One email provider: sends, or throws a PermanentJobError / RetryableJobError / SnoozeJob. */
export interface Mailer {
  send(message: OutgoingEmail, signal?: AbortSignal): Promise<SentEmail>;
  close(): Promise<void>;
}

/** The configured provider; built once per process so its connection pool is reused. */
export function createMailer(config: Config['email'], log: Logger): Mailer {
  const mailer = pickProvider(config);
  // Never log the config object itself: it holds the API keys.
  log.info({ provider: config.provider }, 'email provider ready');
  return mailer;
}

function pickProvider(config: Config['email']): Mailer {
  switch (config.provider) {
    case 'brevo':
      return createBrevoMailer(config);
    case 'mailgun':
      return createMailgunMailer(config);
    case 'dev-mailbox':
      return createDevMailbox(config);
  }
}
