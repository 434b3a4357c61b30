/**
 * The channel announcement of a submitted trade (jobs-reference §5.3), with the §5.7 fixes: owners
 * without a Discord id are named, the uphold deadline comes from when the trade was submitted, rounds
 * and ordinals are right, and the embed stays within Discord's limits. Only the owners' user mentions
 * ping (`allowed_mentions`), whatever the names contain.
 */
import { EmbedBuilder } from '@discordjs/builders';
import type { RESTPostAPIChannelMessageJSONBody } from 'discord-api-types/v10';
import type { TradeItemView, TradeTeam, TradeView } from '../trade-view.ts';
import { discordTimestamp, mentionedUserIds, minorLevelLabel, pickPhrase, teamMentions } from './format.ts';
import { fitEmbed } from './limits.ts';
import { upholdDeadline } from './uphold-deadline.ts';

export const ANNOUNCEMENT_TITLE = '🔊  A Trade Has Been Submitted  🔊';
export const ANNOUNCEMENT_COLOR = 0x3498db;
export const ANNOUNCEMENT_FOOTER = '🔗 Submit trades on FlexFoxFantasy TradeMachine by 11:00PM ET';

/** Discord accepts at most 100 ids in `allowed_mentions.users`. */
const MAX_ALLOWED_USERS = 100;

function nonBlank(s: string | null): s is string {
  return s !== null && s.trim() !== '';
}

/** `Name (A - B - C)` with missing parts dropped, and the parentheses when nothing is left. */
function withDetails(name: string, parts: readonly (string | null)[]): string {
  const kept = parts.filter(nonBlank).map((p) => p.trim());
  return kept.length === 0 ? name : `${name} (${kept.join(' - ')})`;
}

/** One announcement line for a traded item. */
export function announcementItemLine(item: TradeItemView, teams: ReadonlyMap<string, TradeTeam>): string {
  switch (item.kind) {
    case 'major':
      return `• ${withDetails(`**${item.name ?? 'Unknown Player'}**`, ['Majors', item.mlbTeam, item.position])}`;
    case 'minor':
      return `• ${withDetails(`**${item.name ?? 'Unknown Player'}**`, [minorLevelLabel(item.level), item.mlbTeam, item.position])}`;
    case 'pick': {
      const owner = (item.originalOwnerTeamId !== null ? teams.get(item.originalOwnerTeamId)?.label : undefined) ?? 'Unknown';
      return `• **${owner}'s** ${pickPhrase(item.type, item.round, 'announcement')}`;
    }
  }
}

/** The description's lines, before the limits. */
export function announcementLines(trade: TradeView): string[] {
  const creators = trade.participants.filter((p) => p.role === 'creator').map((p) => p.team);
  const recipients = trade.participants.filter((p) => p.role === 'recipient').map((p) => p.team);
  const deadline = upholdDeadline(trade.submittedAt ?? trade.dateCreated);
  const lines = [
    `**${discordTimestamp(trade.dateCreated, 'D')}** | Trade requested by ${teamMentions(creators)}`,
    `Trading with: ${teamMentions(recipients)}`,
    `Trade will be upheld after: ${discordTimestamp(deadline, 'F')}`,
  ];
  for (const { team } of trade.participants) {
    lines.push('', `**${team.label}** receives:`);
    const received = trade.items.filter((item) => item.recipientTeamId === team.id);
    if (received.length === 0) lines.push('_No items_');
    else for (const item of received) lines.push(announcementItemLine(item, trade.teams));
  }
  return lines;
}

export function buildTradeAnnouncement(trade: TradeView): RESTPostAPIChannelMessageJSONBody {
  const fitted = fitEmbed({
    title: ANNOUNCEMENT_TITLE,
    description: announcementLines(trade).join('\n'),
    footer: { text: ANNOUNCEMENT_FOOTER },
  });
  const embed = new EmbedBuilder()
    .setTitle(fitted.title!)
    .setColor(ANNOUNCEMENT_COLOR)
    .setDescription(fitted.description!)
    .setFooter({ text: fitted.footer!.text });
  const pinged = mentionedUserIds(trade.participants.map((p) => p.team)).slice(0, MAX_ALLOWED_USERS);
  return {
    content: '',
    embeds: [embed.toJSON()],
    allowed_mentions: { parse: [], users: pinged },
  };
}
