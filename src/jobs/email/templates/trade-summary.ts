import { escapeHtml } from './escape-html.ts';

/** One traded item, already reduced to what an email shows. */
export interface TradedItem {
  readonly kind: 'major' | 'minor' | 'pick';
  /** Player name, or a pick's description ("2026 round 1 major league pick"). */
  readonly label: string;
  /** Position, team, level: shown after the label when present. */
  readonly detail: string | null;
  readonly sender: string;
  readonly recipient: string;
}

/** A trade as the templates need it, built from one `hydrated_trades` row. */
export interface TradeSummary {
  readonly tradeId: string;
  readonly creatorTeam: string | null;
  readonly recipientTeams: readonly string[];
  readonly decliningUser: string | null;
  readonly declinedReason: string | null;
  readonly items: readonly TradedItem[];
}

interface ItemGroup {
  readonly sender: string;
  readonly recipient: string;
  readonly items: TradedItem[];
}

const kindHeadings: Readonly<Record<TradedItem['kind'], string>> = {
  major: 'Major leaguers',
  minor: 'Minor leaguers',
  pick: 'Draft picks',
};
const kindOrder: readonly TradedItem['kind'][] = ['major', 'minor', 'pick'];

/** Groups items by who sends them to whom, in first-seen order, so each team's side reads as one block. */
export function groupBySenderAndRecipient(items: readonly TradedItem[]): ItemGroup[] {
  const groups = new Map<string, ItemGroup>();
  for (const item of items) {
    const key = JSON.stringify([item.sender, item.recipient]);
    let group = groups.get(key);
    if (!group) {
      group = { sender: item.sender, recipient: item.recipient, items: [] };
      groups.set(key, group);
    }
    group.items.push(item);
  }
  return [...groups.values()];
}

function itemLine(item: TradedItem): string {
  return item.detail ? `${item.label} (${item.detail})` : item.label;
}

/** How one rendering (HTML or text) writes a group's heading and one kind's list of lines. */
interface ItemsFormat {
  readonly empty: string;
  heading(sender: string, recipient: string): string;
  section(heading: string, lines: readonly string[]): string;
}

/** The traded items grouped by sender → recipient, then by kind: the layout both renderings share. */
function renderItems(trade: TradeSummary, format: ItemsFormat): string {
  const groups = groupBySenderAndRecipient(trade.items);
  if (groups.length === 0) return format.empty;
  return groups
    .map((group) => {
      const sections = kindOrder
        .map((kind) => {
          const lines = group.items.filter((item) => item.kind === kind).map(itemLine);
          return lines.length === 0 ? '' : format.section(kindHeadings[kind], lines);
        })
        .join('');
      return `${format.heading(group.sender, group.recipient)}${sections}`;
    })
    .join('\n');
}

/** The traded items as HTML: one heading per sender → recipient, one list per kind of item. */
export function tradeItemsHtml(trade: TradeSummary): string {
  return renderItems(trade, {
    empty: '<p class="muted">This trade has no items.</p>',
    heading: (sender, recipient) => `<h2>${escapeHtml(sender)} &rarr; ${escapeHtml(recipient)}</h2>`,
    section: (heading, lines) => `<h3>${heading}</h3><ul>${lines.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`,
  });
}

/** The traded items as plain text, same grouping as the HTML. */
export function tradeItemsText(trade: TradeSummary): string {
  return renderItems(trade, {
    empty: 'This trade has no items.\n',
    heading: (sender, recipient) => `${sender} -> ${recipient}\n`,
    section: (heading, lines) => `  ${heading}:\n${lines.map((line) => `    - ${line}\n`).join('')}`,
  });
}

/** "Team A" / "Team A and Team B" / "Team A, Team B and Team C", for subjects and sentences. */
export function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** Every team in the trade, creator first. */
export function tradeTeams(trade: TradeSummary): string[] {
  return [...(trade.creatorTeam ? [trade.creatorTeam] : []), ...trade.recipientTeams];
}
