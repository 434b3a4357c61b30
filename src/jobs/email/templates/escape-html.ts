const replacements: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Makes any value safe inside HTML text and quoted attributes: every user-controlled string
 * (names, reasons, team and player names, links) goes through here before it meets markup.
 */
export function escapeHtml(value: string | number | null | undefined): string {
  return String(value ?? '').replace(/[&<>"']/g, (char) => replacements[char] ?? char);
}
