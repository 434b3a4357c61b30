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

/** The traded items as HTML: one heading per sender → recipient, one list per kind of item. */
export function tradeItemsHtml(trade: TradeSummary): string {
  const groups = groupBySenderAndRecipient(trade.items);
  if (groups.length === 0) return '<p class="muted">This trade has no items.</p>';
  return groups
    .map((group) => {
      const sections = kindOrder
        .map((kind) => {
          const items = group.items.filter((item) => item.kind === kind);
          if (items.length === 0) return '';
          const list = items.map((item) => `<li>${escapeHtml(itemLine(item))}</li>`).join('');
          return `<h3>${kindHeadings[kind]}</h3><ul>${list}</ul>`;
        })
        .join('');
      return `<h2>${escapeHtml(group.sender)} &rarr; ${escapeHtml(group.recipient)}</h2>${sections}`;
    })
    .join('\n');
}

/** The traded items as plain text, same grouping as the HTML. */
export function tradeItemsText(trade: TradeSummary): string {
  const groups = groupBySenderAndRecipient(trade.items);
  if (groups.length === 0) return 'This trade has no items.\n';
  return groups
    .map((group) => {
      const sections = kindOrder
        .map((kind) => {
          const items = group.items.filter((item) => item.kind === kind);
          if (items.length === 0) return '';
          return `  ${kindHeadings[kind]}:\n${items.map((item) => `    - ${itemLine(item)}\n`).join('')}`;
        })
        .join('');
      return `${group.sender} -> ${group.recipient}\n${sections}`;
    })
    .join('\n');
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
