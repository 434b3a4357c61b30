/**
 * Small text helpers shared by the Discord messages (jobs-reference §5.3, §5.4), with the §5.7 fixes:
 * pick types read from the enum labels '1'/'2'/'3', rounds printed as integers, correct ordinals
 * (11th–13th, 21st, 111th), and owners without a Discord id named rather than dropped.
 */
import type { PickTypeLabel, TradeOwner, TradeTeam } from '../trade-view.ts';

/** 1st 2nd 3rd 4th … 11th 12th 13th … 21st 22nd 23rd … 101st 111th 112th. */
export function ordinal(n: number): string {
  const abs = Math.abs(n);
  const mod100 = abs % 100;
  if (mod100 >= 11 && mod100 <= 13) return `${n}th`;
  switch (abs % 10) {
    case 1:
      return `${n}st`;
    case 2:
      return `${n}nd`;
    case 3:
      return `${n}rd`;
    default:
      return `${n}th`;
  }
}

/**
 * A pick round as a whole number: `numeric` in the database, so it may arrive as 1, 1.0 or "1.0".
 * Missing or unreadable → 0 (the "unknown pick" of §5.3); a fractional value is rounded rather than
 * raising (§5.7).
 */
export function toRound(value: number | string | null | undefined): number {
  if (value === null || value === undefined) return 0;
  const n = typeof value === 'number' ? value : Number(value.trim());
  if (!Number.isFinite(n)) return 0;
  return Math.round(n);
}

/** The round as printed: `1st`, `22nd`, … (`0th` for an unknown pick). */
export function roundOrdinal(value: number | string | null | undefined): string {
  return ordinal(toRound(value));
}

/** Pick type words in the channel announcement (§5.3). */
export const ANNOUNCEMENT_PICK_LABELS: Readonly<Record<PickTypeLabel, string>> = {
  '1': 'Major League',
  '2': 'High Minors',
  '3': 'Low Minors',
};

/** Pick type words in the DM summaries (§5.4). */
export const SUMMARY_PICK_LABELS: Readonly<Record<PickTypeLabel, string>> = {
  '1': 'Majors',
  '2': 'High Minors',
  '3': 'Low Minors',
};

/** The pick type's words, or null for an unknown or missing type. */
export function pickTypeLabel(type: PickTypeLabel | string | null, style: 'announcement' | 'summary'): string | null {
  if (type !== '1' && type !== '2' && type !== '3') return null;
  return (style === 'announcement' ? ANNOUNCEMENT_PICK_LABELS : SUMMARY_PICK_LABELS)[type];
}

/** `{ordinal} round {type} pick`, or `{ordinal} round pick` when the type is unknown. */
export function pickPhrase(type: PickTypeLabel | null, round: number | string | null, style: 'announcement' | 'summary'): string {
  const label = pickTypeLabel(type, style);
  return label === null ? `${roundOrdinal(round)} round pick` : `${roundOrdinal(round)} round ${label} pick`;
}

/** Sheet level: `HM`/`High` → High Minors, `LM`/`Low` → Low Minors, anything else Minors. */
export function minorLevelLabel(level: string | null): 'High Minors' | 'Low Minors' | 'Minors' {
  const l = level?.trim().toLowerCase() ?? '';
  if (l === 'hm' || l === 'high') return 'High Minors';
  if (l === 'lm' || l === 'low') return 'Low Minors';
  return 'Minors';
}

/** All digits, as §5.4 requires of a Discord user id. */
export function isSnowflake(id: string | null | undefined): id is string {
  return typeof id === 'string' && /^\d+$/.test(id);
}

function nonBlank(s: string | null | undefined): string | null {
  const t = s?.trim();
  return t ? t : null;
}

/** The owner's mention: `<@id>` when they have a Discord id, else `@{displayName or csvName}`. */
export function ownerMention(owner: TradeOwner): string {
  if (isSnowflake(owner.discordUserId)) return `<@${owner.discordUserId}>`;
  return `@${nonBlank(owner.displayName) ?? nonBlank(owner.csvName) ?? 'Unknown'}`;
}

/** Every owner of the teams, in order, joined with ", " (no one dropped, §5.7); a team with no owners is named by its label. */
export function teamMentions(teams: readonly TradeTeam[]): string {
  const parts: string[] = [];
  for (const team of teams) {
    if (team.owners.length === 0) parts.push(team.label);
    else for (const owner of team.owners) parts.push(ownerMention(owner));
  }
  return parts.join(', ');
}

/** The Discord user ids the mentions of these teams ping (deduplicated, in order). */
export function mentionedUserIds(teams: readonly TradeTeam[]): string[] {
  const ids = new Set<string>();
  for (const team of teams) for (const owner of team.owners) if (isSnowflake(owner.discordUserId)) ids.add(owner.discordUserId);
  return [...ids];
}

/** `<t:{unix seconds}:{style}>`. */
export function discordTimestamp(date: Date, style: 'D' | 'F' | 'R'): string {
  return `<t:${Math.floor(date.getTime() / 1000)}:${style}>`;
}
