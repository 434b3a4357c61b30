import { escapeHtml } from './escape-html.ts';
import { greetingName, renderLayout, textFooter, type RenderedEmail } from './layout.ts';

export interface TestEmailData {
  readonly displayName: string | null;
}

/** Sent from the admin page to check that email delivery works end to end. */
export function testEmail(data: TestEmailData): RenderedEmail {
  const subject = 'TradeMachine test email';
  const name = greetingName(data.displayName);
  const html = renderLayout(
    subject,
    `<h1>It works</h1>
<p>Hi ${escapeHtml(name)},</p>
<p>This is a test email from TradeMachine. If you can read it, email delivery is working.</p>`,
  );
  const text = `Hi ${name},

This is a test email from TradeMachine. If you can read it, email delivery is working.
${textFooter()}`;
  return { subject, html, text };
}
