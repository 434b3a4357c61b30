import type { Config } from '../../config.ts';
import { PermanentJobError } from '../outcomes.ts';
import type { EmailUser } from './load-email-data.ts';
import type { OutgoingEmail } from './outgoing-email.ts';

/** Header carrying the real recipient of a redirected message. */
export const originalRecipientHeader = 'X-TradeMachine-Original-To';

export interface Addressing {
  readonly to: OutgoingEmail['to'];
  readonly subjectSuffix: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly redirected: boolean;
}

/**
 * Fails before any work when a non-production target could reach a real inbox: real providers
 * need EMAIL_REDIRECT_ADDRESS there; the dev mailbox never sends, so it may keep the real address.
 */
export function assertRedirectPossible(email: Config['email'], isProduction: boolean): void {
  if (!isProduction && !email.redirectAddress && email.provider !== 'dev-mailbox') {
    throw new PermanentJobError(
      'REDIRECT_NOT_CONFIGURED',
      `EMAIL_REDIRECT_ADDRESS is not set: refusing to send ${email.provider} email from a non-production target to a real user`,
    );
  }
}

/**
 * Who actually receives the message. Non-production targets send everything to the redirect
 * address, with the original recipient kept visible in a header and the subject.
 */
export function resolveAddressing(email: Config['email'], isProduction: boolean, recipient: EmailUser): Addressing {
  const original = { address: recipient.email, name: recipient.displayName ?? undefined };
  if (isProduction) return { to: original, subjectSuffix: '', headers: {}, redirected: false };
  assertRedirectPossible(email, isProduction);
  if (!email.redirectAddress) return { to: original, subjectSuffix: '', headers: {}, redirected: false };
  return {
    to: { address: email.redirectAddress },
    subjectSuffix: ` [for ${recipient.email}]`,
    headers: { [originalRecipientHeader]: recipient.email },
    redirected: true,
  };
}
