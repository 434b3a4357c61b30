import { escapeHtml } from './escape-html.ts';
import { button, greetingName, renderLayout, textFooter, type RenderedEmail } from './layout.ts';
import { joinNames, tradeItemsHtml, tradeItemsText, tradeTeams, type TradeSummary } from './trade-summary.ts';

export interface TradeSubmitData {
  readonly recipientName: string | null;
  readonly trade: TradeSummary;
  readonly tradeUrl?: string | undefined;
}

/** Sent to the participants once an accepted trade has been submitted to the league. */
export function tradeSubmitEmail(data: TradeSubmitData): RenderedEmail {
  const teams = joinNames(tradeTeams(data.trade));
  const subject = teams ? `Trade submitted: ${teams}` : 'Trade submitted';
  const name = greetingName(data.recipientName);
  const html = renderLayout(
    subject,
    `<h1>Trade submitted</h1>
<p>Hi ${escapeHtml(name)},</p>
<p>The trade between ${escapeHtml(teams || 'the teams involved')} has been submitted to the league.</p>
${tradeItemsHtml(data.trade)}
${data.tradeUrl ? `<p class="actions">${button('View trade', data.tradeUrl)}</p>` : ''}`,
  );
  const text = `Hi ${name},

The trade between ${teams || 'the teams involved'} has been submitted to the league.

${tradeItemsText(data.trade)}
${data.tradeUrl ? `View trade: ${data.tradeUrl}\n` : ''}${textFooter()}`;
  return { subject, html, text };
}
