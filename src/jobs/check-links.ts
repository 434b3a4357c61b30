import { PermanentJobError } from './outcomes.ts';

/**
 * Every link a message carries (an email, a Discord button) must point at the owner's frontend: a
 * payload cannot turn the league's sender address or bot into a phishing relay. Throws
 * LINK_NOT_ALLOWED naming the field.
 */
export function checkLinkOrigins(payload: object, linkFields: readonly string[], allowedOrigin: string): void {
  const fields = payload as Readonly<Record<string, unknown>>;
  for (const field of linkFields) {
    const value = fields[field];
    if (typeof value !== 'string') continue;
    const origin = new URL(value).origin;
    if (origin !== allowedOrigin) {
      throw new PermanentJobError('LINK_NOT_ALLOWED', `${field} must be on ${allowedOrigin} (FRONTEND_URL), got a link on ${origin}`);
    }
  }
}
