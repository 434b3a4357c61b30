import { escapeHtml } from './escape-html.ts';
import { button, greetingName, renderLayout, textFooter, type RenderedEmail } from './layout.ts';

export interface RegistrationData {
  readonly displayName: string | null;
  /** The owner's sign-up page for this user; checked against FRONTEND_URL before rendering. */
  readonly registrationUrl: string;
}

/** Sent when a commissioner invites a user to finish setting up their account. */
export function registrationEmail(data: RegistrationData): RenderedEmail {
  const subject = 'Welcome to TradeMachine';
  const name = greetingName(data.displayName);
  const html = renderLayout(
    subject,
    `<h1>Welcome to TradeMachine</h1>
<p>Hi ${escapeHtml(name)},</p>
<p>An account has been created for you. Finish your registration to propose and review trades with your league.</p>
<p class="actions">${button('Finish registration', data.registrationUrl)}</p>`,
  );
  const text = `Hi ${name},

An account has been created for you. Finish your registration to propose and review trades with your league:

${data.registrationUrl}
${textFooter()}`;
  return { subject, html, text };
}
