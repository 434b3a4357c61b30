import { escapeHtml } from './escape-html.ts';
import { button, greetingName, renderLayout, textFooter, type RenderedEmail } from './layout.ts';
import { tradeItemsHtml, tradeItemsText, type TradeSummary } from './trade-summary.ts';

export interface TradeRequestData {
  readonly recipientName: string | null;
  readonly trade: TradeSummary;
  readonly acceptUrl: string;
  readonly declineUrl: string;
  /** The trade's page in the owner app, for a closer look before deciding. */
  readonly tradeUrl?: string | undefined;
}

/** Sent to each recipient of a trade proposal, asking them to accept or decline. */
export function tradeRequestEmail(data: TradeRequestData): RenderedEmail {
  const creator = data.trade.creatorTeam ?? 'Another team';
  const subject = `${creator} requested a trade with you`;
  const name = greetingName(data.recipientName);
  const review = data.tradeUrl ? button('Review trade', data.tradeUrl, 'secondary') : '';
  const html = renderLayout(
    subject,
    `<h1>New trade request</h1>
<p>Hi ${escapeHtml(name)},</p>
<p><strong>${escapeHtml(creator)}</strong> proposed the following trade:</p>
${tradeItemsHtml(data.trade)}
<p class="actions">${button('Accept', data.acceptUrl)}${button('Decline', data.declineUrl, 'secondary')}${review}</p>`,
  );
  const text = `Hi ${name},

${creator} proposed the following trade:

${tradeItemsText(data.trade)}
Accept: ${data.acceptUrl}
Decline: ${data.declineUrl}
${data.tradeUrl ? `Review: ${data.tradeUrl}\n` : ''}${textFooter()}`;
  return { subject, html, text };
}
