import { escapeHtml } from './escape-html.ts';
import { button, greetingName, renderLayout, textFooter, type RenderedEmail } from './layout.ts';
import { tradeItemsHtml, tradeItemsText, type TradeSummary } from './trade-summary.ts';

export interface TradeDeclinedData {
  readonly recipientName: string | null;
  readonly trade: TradeSummary;
  readonly tradeUrl?: string | undefined;
}

/** Sent to the trade's participants when one of them declines it, with their reason. */
export function tradeDeclinedEmail(data: TradeDeclinedData): RenderedEmail {
  const decliner = data.trade.decliningUser ?? 'A participant';
  const subject = `${decliner} declined your trade`;
  const name = greetingName(data.recipientName);
  const reason = data.trade.declinedReason?.trim();
  const html = renderLayout(
    subject,
    `<h1>Trade declined</h1>
<p>Hi ${escapeHtml(name)},</p>
<p><strong>${escapeHtml(decliner)}</strong> declined this trade.</p>
${reason ? `<p class="reason">${escapeHtml(reason)}</p>` : '<p class="muted">No reason was given.</p>'}
${tradeItemsHtml(data.trade)}
${data.tradeUrl ? `<p class="actions">${button('View trade', data.tradeUrl)}</p>` : ''}`,
  );
  const text = `Hi ${name},

${decliner} declined this trade.
${reason ? `Reason: ${reason}` : 'No reason was given.'}

${tradeItemsText(data.trade)}
${data.tradeUrl ? `View trade: ${data.tradeUrl}\n` : ''}${textFooter()}`;
  return { subject, html, text };
}
