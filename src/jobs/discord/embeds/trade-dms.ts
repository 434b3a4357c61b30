/**
 * The three action DMs (jobs-reference §5.4): trade request, trade submit and trade declined, with
 * the §5.7 fixes (pick types from '1'/'2'/'3', integer rounds, 11th–13th/21st ordinals) and Discord's
 * limits. Buttons are plain link buttons in one action row; no interaction handling is needed.
 */
import { ActionRowBuilder, ButtonBuilder, EmbedBuilder } from '@discordjs/builders';
import { ButtonStyle, type APIEmbed, type APIEmbedField, type RESTPostAPIChannelMessageJSONBody } from 'discord-api-types/v10';
import type { TradeItemView, TradeView } from '../trade-view.ts';
import { pickPhrase } from './format.ts';
import { EMBED_LIMITS, fitEmbed, truncate } from './limits.ts';

export const DM_COLOR = 0x3498db;
/** Summary fields shown before the last "more teams" field. */
export const MAX_SUMMARY_FIELDS = 8;
export const DECLINE_REASON_MAX = 450;
export const NO_ITEMS_FIELD: APIEmbedField = {
  name: 'Trade details',
  value: '_No player or pick details are available for this trade snapshot._',
  inline: false,
};

export interface RequestDmOptions {
  /** The DM recipient's team: "with you and others" then counts the other recipient teams. */
  readonly recipientTeamId?: string;
  readonly acceptUrl: string;
  readonly declineUrl: string;
  readonly settingsUrl?: string;
}

export interface SubmitDmOptions {
  readonly submitUrl: string;
  readonly settingsUrl?: string;
}

export interface DeclinedDmOptions {
  readonly isCreator: boolean;
  readonly viewUrl?: string;
  readonly settingsUrl?: string;
}

function nonBlank(s: string | null | undefined): string | null {
  const t = s?.trim();
  return t ? t : null;
}

function teamLabel(trade: TradeView, teamId: string | null, fallback: string): string {
  return (teamId !== null ? trade.teams.get(teamId)?.label : undefined) ?? fallback;
}

const KIND_ORDER: Readonly<Record<TradeItemView['kind'], number>> = { major: 0, minor: 1, pick: 2 };

/** One summary line: `• {name} from {sender}` or `• {owner}'s {ordinal} round {type} pick from {sender}`. */
export function summaryItemLine(trade: TradeView, item: TradeItemView): string {
  const sender = teamLabel(trade, item.senderTeamId, 'Unknown team');
  if (item.kind === 'pick') {
    const owner = teamLabel(trade, item.originalOwnerTeamId, 'Unknown');
    return `• ${owner}'s ${pickPhrase(item.type, item.round, 'summary')} from ${sender}`;
  }
  return `• ${item.name ?? 'Unknown Player'} from ${sender}`;
}

/**
 * What each team receives: one field per recipient label (sorted), at most 8, then a field naming how
 * many teams more; `Trade details` when the trade has no items.
 */
export function summaryFields(trade: TradeView): APIEmbedField[] {
  if (trade.items.length === 0) return [{ ...NO_ITEMS_FIELD }];
  const groups = new Map<string, TradeItemView[]>();
  const items = [...trade.items].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
  for (const item of items) {
    const label = teamLabel(trade, item.recipientTeamId, 'Unknown team');
    const group = groups.get(label);
    if (group) group.push(item);
    else groups.set(label, [item]);
  }
  const labels = [...groups.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const fields: APIEmbedField[] = labels.slice(0, MAX_SUMMARY_FIELDS).map((label) => ({
    name: `Receiving: ${label}`,
    value: groups.get(label)!.map((item) => summaryItemLine(trade, item)).join('\n'),
    inline: false,
  }));
  const rest = labels.slice(MAX_SUMMARY_FIELDS);
  if (rest.length > 0) {
    fields.push({
      name: `… and ${rest.length} more ${rest.length === 1 ? 'team' : 'teams'}`,
      value: truncate(`Also receiving: ${rest.join(', ')}`, EMBED_LIMITS.fieldValue),
      inline: false,
    });
  }
  return fields;
}

function settingsFooter(settingsUrl: string | undefined): string | null {
  const url = nonBlank(settingsUrl);
  return url === null ? null : `Manage your email/Discord trade notifications at ${url}`;
}

function linkButtons(buttons: readonly { label: string; url: string }[]): ActionRowBuilder<ButtonBuilder> | null {
  if (buttons.length === 0) return null;
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    buttons.map(({ label, url }) => new ButtonBuilder().setStyle(ButtonStyle.Link).setLabel(label).setURL(url)),
  );
}

/** The message: the embed within Discord's limits through the typed builder, and the buttons when any. */
function dmMessage(
  embed: { title: string; description: string; fields?: APIEmbedField[]; footer: string | null },
  buttons: readonly { label: string; url: string }[],
): RESTPostAPIChannelMessageJSONBody {
  const raw: APIEmbed = { title: embed.title, description: embed.description };
  if (embed.fields !== undefined) raw.fields = embed.fields;
  if (embed.footer !== null) raw.footer = { text: embed.footer };
  const fitted = fitEmbed(raw);
  const builder = new EmbedBuilder().setTitle(fitted.title!).setColor(DM_COLOR).setDescription(fitted.description!);
  if (fitted.fields !== undefined && fitted.fields.length > 0) builder.addFields(fitted.fields);
  if (fitted.footer !== undefined) builder.setFooter({ text: fitted.footer.text });
  const row = linkButtons(buttons);
  const message: RESTPostAPIChannelMessageJSONBody = {
    content: '',
    embeds: [builder.toJSON()],
    allowed_mentions: { parse: [] },
  };
  if (row !== null) message.components = [row.toJSON()];
  return message;
}

function creatorLabel(trade: TradeView): string {
  return trade.participants.find((p) => p.role === 'creator')?.team.label ?? 'Unknown';
}

function recipientTeams(trade: TradeView) {
  return trade.participants.filter((p) => p.role === 'recipient').map((p) => p.team);
}

export function buildRequestDm(trade: TradeView, options: RequestDmOptions): RESTPostAPIChannelMessageJSONBody {
  const recipients = recipientTeams(trade);
  const others =
    options.recipientTeamId !== undefined && recipients.some((t) => t.id === options.recipientTeamId)
      ? recipients.filter((t) => t.id !== options.recipientTeamId).length
      : recipients.length - 1;
  const headline = `**${creatorLabel(trade)} requested a trade with you${others > 0 ? ' and others' : ''}**`;
  return dmMessage(
    {
      title: 'Action Needed',
      description: `${headline}\n\nReview what each team would receive below, then use **Accept** or **Decline**.`,
      fields: summaryFields(trade),
      footer: settingsFooter(options.settingsUrl),
    },
    [
      { label: 'Accept', url: options.acceptUrl },
      { label: 'Decline', url: options.declineUrl },
    ],
  );
}

export function buildSubmitDm(trade: TradeView, options: SubmitDmOptions): RESTPostAPIChannelMessageJSONBody {
  const recipients = recipientTeams(trade);
  const headline =
    recipients.length === 1
      ? `**${recipients[0]!.label} accepted your trade proposal**`
      : '**Recipients accepted your trade proposal**';
  return dmMessage(
    {
      title: 'Submit Your Trade',
      description: `${headline}\n\nWhen you are ready, submit the trade to the league using the button below.`,
      fields: summaryFields(trade),
      footer: settingsFooter(options.settingsUrl),
    },
    [{ label: 'Submit trade', url: options.submitUrl }],
  );
}

export function buildDeclinedDm(trade: TradeView, options: DeclinedDmOptions): RESTPostAPIChannelMessageJSONBody {
  const by = nonBlank(trade.decliningUser) ?? 'Someone';
  const parts = [
    options.isCreator ? `**Your trade proposal was declined by ${by}**` : `**A trade you were part of was declined by ${by}**`,
  ];
  const reason = nonBlank(trade.declinedReason);
  if (reason !== null) parts.push(`**Decline reason**\n${truncate(reason, DECLINE_REASON_MAX)}`);
  const viewUrl = nonBlank(options.viewUrl);
  if (viewUrl !== null) parts.push('Open the trade in your browser with **View trade** below.');
  return dmMessage(
    { title: 'Trade Declined', description: parts.join('\n\n'), footer: settingsFooter(options.settingsUrl) },
    viewUrl === null ? [] : [{ label: 'View trade', url: viewUrl }],
  );
}
