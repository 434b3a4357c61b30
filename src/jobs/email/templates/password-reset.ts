import { escapeHtml } from './escape-html.ts';
import { button, greetingName, renderLayout, textFooter, type RenderedEmail } from './layout.ts';

export interface PasswordResetData {
  readonly displayName: string | null;
  /** The owner's reset page, carrying its token; checked against FRONTEND_URL before rendering. */
  readonly resetUrl: string;
}

/** Sent when a user asks to reset their password. */
export function passwordResetEmail(data: PasswordResetData): RenderedEmail {
  const subject = 'Reset your TradeMachine password';
  const name = greetingName(data.displayName);
  const html = renderLayout(
    subject,
    `<h1>Reset your password</h1>
<p>Hi ${escapeHtml(name)},</p>
<p>Someone (hopefully you) asked to reset the password of your TradeMachine account. Use the button below to choose a new one.</p>
<p class="actions">${button('Reset password', data.resetUrl)}</p>
<p class="muted">If you did not ask for this, ignore this email: your password stays as it is.</p>`,
  );
  const text = `Hi ${name},

Someone (hopefully you) asked to reset the password of your TradeMachine account. Open this link to choose a new one:

${data.resetUrl}

If you did not ask for this, ignore this email: your password stays as it is.
${textFooter()}`;
  return { subject, html, text };
}
