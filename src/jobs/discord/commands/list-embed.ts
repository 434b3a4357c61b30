/**
 * The trade list embed of the slash commands (jobs-reference §5.6): numbered entries with what each
 * team gets and a link to the trade, a footer pointing at the rest, within Discord's limits.
 */
import type { APIEmbed } from 'discord-api-types/v10';
import type { TradeStatusLabel } from '../trade-view.ts';
import { ANNOUNCEMENT_PICK_LABELS, discordTimestamp, roundOrdinal } from '../embeds/format.ts';
import { EMBED_LIMITS, fitEmbed, truncate, truncateLines } from '../embeds/limits.ts';
import type { TradeList, TradeListEntry, TradeListFilter, TradeListItem } from './trade-list.ts';

export const LIST_EMBED_COLOR = 0x3498db;

/** §5.6: the description stays this far under Discord's 4096, as the previous worker kept it. */
export const LIST_DESCRIPTION_MAX = EMBED_LIMITS.description - 120;

const STATUS_WORDS: Readonly<Record<TradeStatusLabel, string>> = {
  '1': 'Draft',
  '2': 'Requested',
  '3': 'Pending',
  '4': 'Accepted',
  '5': 'Declined',
  '6': 'Submitted',
};

/** The title of each command's list (§5.6). */
export function listTitle(command: 'my-trades' | 'trade-history', filter: TradeListFilter): string {
  if (command === 'my-trades') return 'Your Active Trades';
  if (filter === 'active') return 'Your Last 5 Active Trades';
  if (filter === 'closed') return 'Your Last 5 Closed Trades';
  return 'Your Last 5 Trades';
}

function itemText(item: TradeListItem): string {
  if (item.kind === 'player') return item.name ?? 'Unknown Player';
  const owner = item.ownerName?.trim() || 'Unknown';
  const type = item.type === null ? null : ANNOUNCEMENT_PICK_LABELS[item.type];
  return type === null ? `${owner}'s ${roundOrdinal(item.round)} pick` : `${owner}'s ${roundOrdinal(item.round)} ${type} pick`;
}

/**
 * One entry's lines: status and age, what each participant gets, the link. Past `max` characters
 * the "gets" lines share what is left and are each cut with `…`, so the header and link stay.
 */
function entryText(index: number, trade: TradeListEntry, callerTeamId: string, frontendOrigin: string, max: number): string {
  const header = `${index}. ${STATUS_WORDS[trade.status] ?? 'Unknown'} | ${discordTimestamp(trade.dateCreated, 'R')}`;
  const link = frontendOrigin === '' ? [] : [`[View trade](${frontendOrigin}/trades/${trade.id}/review)`];
  let gets = trade.participants.map((participant) => {
    const items = trade.items.filter((item) => item.recipientTeamId === participant.teamId).map(itemText);
    const who = participant.teamId === callerTeamId ? 'You get' : `${participant.label} gets`;
    return `${who}: ${items.length === 0 ? '_nothing_' : items.join(', ')}`;
  });
  const text = () => [header, ...gets, ...link].join('\n');
  if (text().length > max && gets.length > 0) {
    const fixed = header.length + link.reduce((sum, line) => sum + 1 + line.length, 0) + gets.length;
    const each = Math.floor((max - fixed) / gets.length);
    gets = gets.map((line) => truncate(line, each));
  }
  return truncateLines(text(), max);
}

function footerText(more: number, frontendOrigin: string): string {
  if (more > 0) return frontendOrigin !== '' ? `and ${more} more — view all at ${frontendOrigin}/my-trades` : `and ${more} more — view all on the trades app`;
  return frontendOrigin !== '' ? `View all trades at ${frontendOrigin}/my-trades` : 'View more on the trades app';
}

/**
 * The list embed. Entries are kept while the description fits LIST_DESCRIPTION_MAX (the first one
 * always, cut by lines if it alone is too long); the footer's "more" counts the ones left out too.
 * `frontendOrigin` '' means no links.
 */
export function tradeListEmbed(title: string, list: TradeList, callerTeamId: string, frontendOrigin: string): APIEmbed {
  const origin = frontendOrigin.replace(/\/+$/, '');
  const entries: string[] = [];
  let length = 0;
  for (const [i, trade] of list.trades.entries()) {
    const text = entryText(i + 1, trade, callerTeamId, origin, LIST_DESCRIPTION_MAX);
    const added = entries.length === 0 ? text.length : length + 2 + text.length;
    if (added > LIST_DESCRIPTION_MAX) break;
    entries.push(text);
    length = added;
  }
  const description = entries.length === 0 ? '_No trades found._' : entries.join('\n\n');
  const more = Math.max(list.total - entries.length, 0);
  return fitEmbed({ title, color: LIST_EMBED_COLOR, description, footer: { text: footerText(more, origin) } });
}
