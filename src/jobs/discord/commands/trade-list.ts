/**
 * The trades the slash commands list (jobs-reference §5.6, with the §5.7 fixes): the caller's newest
 * trades with their participants and items in one statement, whatever their number, and the total
 * the filter matches; drafts only when the caller's team created them.
 */
import { sql, type ExpressionBuilder } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { OwnerDb } from '../../../db/database.ts';
import type { ContractEnumLabel, OwnerDB } from '../../../db/owner-contract.ts';
import type { PickTypeLabel, TradeStatusLabel } from '../trade-view.ts';

/** The `status` option of /trade-history; /my-trades is always `active`. */
export type TradeListFilter = 'active' | 'closed' | 'all';

/** How many trades a list shows (§5.6). */
export const TRADE_LIST_LIMIT = 5;

const DRAFT: TradeStatusLabel = '1';
/** trade_status_enum labels by filter (§5.6); `all` has none (drafts are handled apart). */
const statusesOf: Readonly<Record<Exclude<TradeListFilter, 'all'>, readonly TradeStatusLabel[]>> = {
  active: ['2', '3', '4'],
  closed: ['5', '6'],
};

const CREATOR: ContractEnumLabel<'trade_participant_participanttype_enum'> = '1';
const PLAYER: ContractEnumLabel<'trade_item_tradeitemtype_enum'> = '1';
const PICK: ContractEnumLabel<'trade_item_tradeitemtype_enum'> = '2';

/** The TradeMachine user behind a Discord account. */
export interface TradeListCaller {
  readonly userId: string;
  /** Null when the user has no team. */
  readonly teamId: string | null;
}

export interface TradeListParticipant {
  readonly teamId: string;
  /** §5.4 "CSV labels": the first non-blank csvName of the team's users by user id, else its name. */
  readonly label: string;
}

export type TradeListItem =
  | { readonly kind: 'player'; readonly recipientTeamId: string | null; readonly name: string | null }
  | {
      readonly kind: 'pick';
      readonly recipientTeamId: string | null;
      /** The original owner's team name; null when the pick or its team is gone. */
      readonly ownerName: string | null;
      readonly type: PickTypeLabel | null;
      /** `numeric`: "1", "1.0"; null when the pick is gone. */
      readonly round: string | number | null;
    };

export interface TradeListEntry {
  readonly id: string;
  readonly status: TradeStatusLabel;
  readonly dateCreated: Date;
  /** Creator first, then recipients (by participant id). */
  readonly participants: readonly TradeListParticipant[];
  /** Players before picks, each by item id. */
  readonly items: readonly TradeListItem[];
}

export interface TradeList {
  /** Newest first, at most TRADE_LIST_LIMIT. */
  readonly trades: readonly TradeListEntry[];
  /** How many trades the filter matches in all. */
  readonly total: number;
}

/** The user whose `discordUserId` is this id (the lowest user id if several), or undefined. */
export async function findCaller(db: OwnerDb, discordUserId: string): Promise<TradeListCaller | undefined> {
  const row = await db
    .selectFrom('user')
    .select(['user.id', 'user.teamId'])
    .where('user.discordUserId', '=', discordUserId)
    .orderBy('user.id')
    .limit(1)
    .executeTakeFirst();
  return row && { userId: row.id, teamId: row.teamId };
}

type Eb = ExpressionBuilder<OwnerDB, 'trade'>;

/** Whether `teamId` takes part in the trade (with `role`, when given). */
function takesPart(eb: Eb, teamId: string, creatorOnly: boolean) {
  let query = eb
    .selectFrom('trade_participant as mine')
    .select(sql.lit(1).as('one'))
    .whereRef('mine.tradeId', '=', 'trade.id')
    .where('mine.teamId', '=', teamId);
  if (creatorOnly) query = query.where('mine.participantType', '=', CREATOR);
  return eb.exists(query);
}

const pickType = (value: unknown): PickTypeLabel | null => (value === '1' || value === '2' || value === '3' ? value : null);

/** A team's label, as a correlated subquery on `team`. */
const teamLabel = sql<string>`COALESCE(
  (SELECT btrim(u."csvName") FROM "user" u WHERE u."teamId" = team.id AND btrim(u."csvName") <> '' ORDER BY u.id LIMIT 1),
  NULLIF(btrim(team.name), ''),
  'Unknown')`;

/**
 * The caller's team's newest trades under `filter` with their participants and items, and the total
 * the filter matches: one statement (json aggregation; the total a window count over the same filter).
 */
export async function loadTradeList(db: OwnerDb, teamId: string, filter: TradeListFilter, limit: number = TRADE_LIST_LIMIT): Promise<TradeList> {
  const rows = await db
    .selectFrom('trade')
    .select((eb) => [
      'trade.id',
      'trade.status',
      'trade.dateCreated',
      sql<string>`count(*) OVER ()`.as('total'),
      jsonArrayFrom(
        eb
          .selectFrom('trade_participant')
          .innerJoin('team', 'team.id', 'trade_participant.teamId')
          .select(['team.id as teamId', teamLabel.as('label')])
          .whereRef('trade_participant.tradeId', '=', 'trade.id')
          .orderBy('trade_participant.participantType')
          .orderBy('trade_participant.id'),
      ).as('participants'),
      jsonArrayFrom(
        eb
          .selectFrom('trade_item')
          .leftJoin('player', (join) => join.onRef('player.id', '=', 'trade_item.tradeItemId').on('trade_item.tradeItemType', '=', PLAYER))
          .leftJoin('draft_pick', (join) => join.onRef('draft_pick.id', '=', 'trade_item.tradeItemId').on('trade_item.tradeItemType', '=', PICK))
          .leftJoin('team as owner', 'owner.id', 'draft_pick.originalOwnerId')
          .select([
            'trade_item.tradeItemType',
            'trade_item.recipientId',
            'player.name',
            'owner.name as ownerName',
            'draft_pick.type as pickType',
            'draft_pick.round',
          ])
          .whereRef('trade_item.tradeId', '=', 'trade.id')
          .orderBy('trade_item.tradeItemType')
          .orderBy('trade_item.id'),
      ).as('items'),
    ])
    .where((eb) => {
      const mine = takesPart(eb, teamId, false);
      if (filter === 'all') return eb.and([mine, eb.or([eb('trade.status', '!=', DRAFT), takesPart(eb, teamId, true)])]);
      return eb.and([mine, eb('trade.status', 'in', statusesOf[filter])]);
    })
    .orderBy('trade.dateCreated', 'desc')
    .orderBy('trade.id', 'desc')
    .limit(limit)
    .execute();

  const trades = rows.map(
    (row): TradeListEntry => ({
      id: row.id,
      status: row.status,
      dateCreated: row.dateCreated,
      participants: row.participants,
      items: row.items.map(
        (item): TradeListItem =>
          // Enum labels arrive as JSON strings (Kysely's json helpers type them as numbers).
          String(item.tradeItemType) === PICK
            ? { kind: 'pick', recipientTeamId: item.recipientId, ownerName: item.ownerName, type: pickType(item.pickType), round: item.round }
            : { kind: 'player', recipientTeamId: item.recipientId, name: item.name },
      ),
    }),
  );
  return { trades, total: rows.length === 0 ? 0 : Number(rows[0]!.total) };
}
