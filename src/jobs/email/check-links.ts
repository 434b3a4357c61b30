import { PermanentJobError } from '../outcomes.ts';
import { linkFields, type EmailPayload } from './email-payload.ts';

/**
 * Every link an email carries must point at the owner's frontend: a payload cannot turn the
 * league's sender address into a phishing relay. Throws LINK_NOT_ALLOWED naming the field.
 */
export function checkLinkOrigins(payload: EmailPayload, allowedOrigin: string): void {
  const fields: Readonly<Record<string, unknown>> = payload;
  for (const field of linkFields) {
    const value = fields[field];
    if (typeof value !== 'string') continue;
    const origin = new URL(value).origin;
    if (origin !== allowedOrigin) {
      throw new PermanentJobError('LINK_NOT_ALLOWED', `${field} must be on ${allowedOrigin} (FRONTEND_URL), got a link on ${origin}`);
    }
  }
}
