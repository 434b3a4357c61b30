import { z } from 'zod';
import type { OwnerDb } from '../../db/database.ts';
import type { ContractEnumLabel } from '../../db/owner-contract.ts';
import { PermanentJobError } from '../outcomes.ts';
import type { TradedItem, TradeSummary } from './templates/trade-summary.ts';

/** The person an email is about and goes to, read from `user`. */
export interface EmailUser {
  readonly id: string;
  readonly email: string;
  readonly displayName: string | null;
}

/** Reads a user by id; the owner passes only ids, so a missing row can never be fixed by retrying. */
export async function loadUser(db: OwnerDb, userId: string, targetName: string): Promise<EmailUser> {
  const user = await db.selectFrom('user').select(['id', 'email', 'displayName']).where('id', '=', userId).executeTakeFirst();
  if (!user) throw new PermanentJobError('USER_NOT_FOUND', `user ${userId} not found in the ${targetName} database`);
  return user;
}

// The traded items of `hydrated_trades` are JSON built by the view; parse rather than cast, so a
// changed view fails loudly here instead of rendering "undefined" into someone's inbox.
const teamName = z.string().nullable().optional().transform((name) => name ?? 'Unknown team');
const tradedMajor = z.object({
  name: z.string(),
  mlbTeam: z.string().nullable().optional(),
  mainPosition: z.unknown().optional(),
  sender: teamName,
  recipient: teamName,
});
const tradedMinor = z.object({
  name: z.string(),
  minorTeam: z.string().nullable().optional(),
  position: z.string().nullable().optional(),
  minorLeagueLevel: z.string().nullable().optional(),
  sender: teamName,
  recipient: teamName,
});
const tradedPick = z.object({
  season: z.number(),
  round: z.union([z.number(), z.string()]),
  pickNumber: z.number().nullable().optional(),
  type: z.string().nullable().optional(),
  originalPickOwner: z.object({ name: z.string() }).nullable().optional(),
  sender: teamName,
  recipient: teamName,
});
/** The view aggregates to NULL, not to an empty array, when a trade has no items of a kind. */
const listOf = <T extends z.ZodType>(item: T) => z.array(item).nullable().transform((items) => items ?? []);

/** draft_pick_type_enum labels → words; keyed by the contract's labels, so a new label is declared there (and checked). */
const pickTypes: Readonly<Record<ContractEnumLabel<'draft_pick_type_enum'>, string>> = { '1': 'major league', '2': 'high minors', '3': 'low minors' };
const pickTypeWords: Readonly<Record<string, string>> = pickTypes;

function details(...parts: readonly unknown[]): string | null {
  const present = parts.filter((part): part is string => typeof part === 'string' && part.trim() !== '');
  return present.length > 0 ? present.join(', ') : null;
}

/** Reads one trade from `hydrated_trades` and reduces it to what the trade templates show. */
export async function loadTrade(db: OwnerDb, tradeId: string, targetName: string): Promise<TradeSummary> {
  const row = await db
    .selectFrom('hydrated_trades')
    .select(['tradeId', 'tradeCreator', 'tradeRecipients', 'decliningUser', 'declinedReason', 'tradedMajors', 'tradedMinors', 'tradedPicks'])
    .where('tradeId', '=', tradeId)
    .executeTakeFirst();
  if (!row) throw new PermanentJobError('TRADE_NOT_FOUND', `trade ${tradeId} not found in the ${targetName} database`);

  const majors = listOf(tradedMajor).safeParse(row.tradedMajors);
  const minors = listOf(tradedMinor).safeParse(row.tradedMinors);
  const picks = listOf(tradedPick).safeParse(row.tradedPicks);
  if (!majors.success || !minors.success || !picks.success) {
    const cause = [majors, minors, picks].find((result) => !result.success)?.error;
    throw new PermanentJobError('TRADE_DATA_INVALID', `hydrated_trades row of trade ${tradeId} has an unexpected shape`, { cause });
  }
  const items: TradedItem[] = [
    ...majors.data.map((m): TradedItem => ({
      kind: 'major',
      label: m.name,
      detail: details(m.mainPosition, m.mlbTeam),
      sender: m.sender,
      recipient: m.recipient,
    })),
    ...minors.data.map((m): TradedItem => ({
      kind: 'minor',
      label: m.name,
      detail: details(m.position, m.minorTeam, m.minorLeagueLevel),
      sender: m.sender,
      recipient: m.recipient,
    })),
    ...picks.data.map((p): TradedItem => ({
      kind: 'pick',
      label: `${p.season} round ${p.round} ${pickTypeWords[p.type ?? ''] ?? ''} pick`.replace(/\s+/g, ' '),
      detail: details(
        p.pickNumber != null ? `pick #${p.pickNumber}` : null,
        p.originalPickOwner ? `originally ${p.originalPickOwner.name}` : null,
      ),
      sender: p.sender,
      recipient: p.recipient,
    })),
  ];
  return {
    tradeId,
    creatorTeam: row.tradeCreator,
    recipientTeams: row.tradeRecipients ?? [],
    decliningUser: row.decliningUser,
    declinedReason: row.declinedReason,
    items,
  };
}
