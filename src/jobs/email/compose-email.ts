import type { OwnerDb } from '../../db/database.ts';
import type { EmailPayload } from './email-payload.ts';
import { loadTrade, loadUser, type EmailUser } from './load-email-data.ts';
import type { RenderedEmail } from './templates/layout.ts';
import { passwordResetEmail } from './templates/password-reset.ts';
import { registrationEmail } from './templates/registration.ts';
import { testEmail } from './templates/test-email.ts';
import { tradeDeclinedEmail } from './templates/trade-declined.ts';
import { tradeRequestEmail } from './templates/trade-request.ts';
import { tradeSubmitEmail } from './templates/trade-submit.ts';

/** A rendered email, who it is for, and the trade it is about (recorded in `email."tradeId"`). */
export interface ComposedEmail {
  readonly recipient: EmailUser;
  readonly rendered: RenderedEmail;
  readonly tradeId: string | null;
}

/** Loads what the payload's email type needs from the target database and renders it. */
export async function composeEmail(db: OwnerDb, targetName: string, payload: EmailPayload): Promise<ComposedEmail> {
  switch (payload.type) {
    case 'password_reset': {
      const user = await loadUser(db, payload.userId, targetName);
      return { recipient: user, tradeId: null, rendered: passwordResetEmail({ displayName: user.displayName, resetUrl: payload.resetUrl }) };
    }
    case 'registration': {
      const user = await loadUser(db, payload.userId, targetName);
      return {
        recipient: user,
        tradeId: null,
        rendered: registrationEmail({ displayName: user.displayName, registrationUrl: payload.registrationUrl }),
      };
    }
    case 'test': {
      const user = await loadUser(db, payload.userId, targetName);
      return { recipient: user, tradeId: null, rendered: testEmail({ displayName: user.displayName }) };
    }
    case 'trade_request':
    case 'trade_declined':
    case 'trade_submit': {
      const [user, trade] = await Promise.all([
        loadUser(db, payload.recipientUserId, targetName),
        loadTrade(db, payload.tradeId, targetName),
      ]);
      const common = { recipientName: user.displayName, trade, tradeUrl: payload.tradeUrl };
      const rendered =
        payload.type === 'trade_request'
          ? tradeRequestEmail({ ...common, acceptUrl: payload.acceptUrl, declineUrl: payload.declineUrl })
          : payload.type === 'trade_declined'
            ? tradeDeclinedEmail(common)
            : tradeSubmitEmail(common);
      return { recipient: user, tradeId: trade.tradeId, rendered };
    }
  }
}
