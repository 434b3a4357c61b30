import juice from 'juice';
import { escapeHtml } from './escape-html.ts';

/** What every template returns: the three parts a provider needs. */
export interface RenderedEmail {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

/**
 * The one stylesheet of every email. Mail clients drop <style> blocks, so juice inlines it into
 * style attributes; keep it free of media queries and pseudo-classes, which cannot be inlined.
 */
const stylesheet = `
body { margin: 0; padding: 0; background-color: #f3f4f6; font-family: Helvetica, Arial, sans-serif; color: #1f2937; }
.wrapper { width: 100%; background-color: #f3f4f6; padding: 24px 0; }
.card { max-width: 600px; margin: 0 auto; background-color: #ffffff; border-radius: 8px; padding: 24px; }
.brand { font-size: 13px; letter-spacing: 1px; text-transform: uppercase; color: #6b7280; margin: 0 0 16px 0; }
h1 { font-size: 22px; margin: 0 0 16px 0; color: #111827; }
h2 { font-size: 16px; margin: 20px 0 8px 0; color: #111827; }
h3 { font-size: 14px; margin: 12px 0 4px 0; color: #374151; }
p { font-size: 15px; line-height: 22px; margin: 0 0 12px 0; }
ul { margin: 0 0 12px 0; padding-left: 20px; }
li { font-size: 14px; line-height: 20px; }
.muted { color: #6b7280; font-size: 13px; }
.reason { border-left: 3px solid #d1d5db; padding-left: 12px; color: #374151; font-style: italic; }
.actions { margin: 20px 0; }
.button { display: inline-block; padding: 10px 18px; margin-right: 8px; border-radius: 6px; background-color: #2563eb; color: #ffffff; text-decoration: none; font-weight: bold; }
.button-secondary { background-color: #6b7280; }
.footer { max-width: 600px; margin: 12px auto 0 auto; text-align: center; color: #9ca3af; font-size: 12px; }
`;

/**
 * Wraps a template's body in the shared skeleton and inlines the stylesheet. `bodyHtml` must
 * already be escaped; `title` is escaped here.
 */
export function renderLayout(title: string, bodyHtml: string): string {
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${stylesheet}</style>
</head>
<body>
<div class="wrapper">
<div class="card">
<p class="brand">TradeMachine</p>
${bodyHtml}
</div>
<p class="footer">You receive this email because you are a member of a TradeMachine league.</p>
</div>
</body>
</html>`;
  return juice(html);
}

/** A call-to-action link styled as a button; the URL is escaped like any other value. */
export function button(label: string, url: string, variant: 'primary' | 'secondary' = 'primary'): string {
  const classes = variant === 'primary' ? 'button' : 'button button-secondary';
  return `<a class="${classes}" href="${escapeHtml(url)}">${escapeHtml(label)}</a>`;
}

/** The plain-text part's common footer, so every text email ends the same way. */
export function textFooter(): string {
  return '\n--\nTradeMachine\nYou receive this email because you are a member of a TradeMachine league.\n';
}

/** The name to greet someone by: their display name, else a neutral greeting. */
export function greetingName(displayName: string | null | undefined): string {
  const trimmed = displayName?.trim();
  return trimmed ? trimmed : 'there';
}
