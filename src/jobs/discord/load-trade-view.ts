import { sql, type Transaction } from 'kysely';
import type { OwnerDb } from '../../db/database.ts';
import type { ContractEnumLabel, OwnerDB } from '../../db/owner-contract.ts';
import type { PickTypeLabel, TradeItemView, TradeOwner, TradeParticipant, TradeTeam, TradeView } from './trade-view.ts';

/** The owner's ids are UUIDs; anything else names no trade (and must not reach a uuid cast). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `id` can be a row id of the owner's tables; the loaders answer "not found" otherwise. */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}

// The labels this module gives a meaning to, keyed by the contract's labels: one the owner renames
// or removes fails to type-check here once the contract follows, and a new one is a drift warning.
const roles: Readonly<Record<ContractEnumLabel<'trade_participant_participanttype_enum'>, TradeParticipant['role']>> = { '1': 'creator', '2': 'recipient' };
const itemTypes: Readonly<Record<ContractEnumLabel<'trade_item_tradeitemtype_enum'>, 'player' | 'pick'>> = { '1': 'player', '2': 'pick' };
const leagues: Readonly<Record<ContractEnumLabel<'player_league_enum'>, 'major' | 'minor'>> = { '1': 'major', '2': 'minor' };
const pickTypes: Readonly<Record<ContractEnumLabel<'draft_pick_type_enum'>, PickTypeLabel>> = { '1': '1', '2': '2', '3': '3' };

const PLAYER: ContractEnumLabel<'trade_item_tradeitemtype_enum'> = '1';
const PICK: ContractEnumLabel<'trade_item_tradeitemtype_enum'> = '2';

/** A JSON string at `path` of `player.meta` as text; any other JSON (number, object) reads as null. */
function metaText(...path: readonly string[]) {
  const value = sql`${sql.ref('player.meta')} #> ${sql.val(`{${path.join(',')}}`)}`;
  return sql<string | null>`CASE WHEN jsonb_typeof(${value}) = 'string' THEN ${value} #>> '{}' END`;
}

const blankToNull = (value: string | null): string | null => {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
};

/** A `numeric` round ("1", "1.0") as a number; null when absent or not a number. */
function roundOf(value: string | number | null): number | null {
  if (value === null) return null;
  const round = Number(value);
  return Number.isFinite(round) ? round : null;
}

type Trx = Transaction<OwnerDB>;

async function loadTrade(trx: Trx, tradeId: string) {
  return trx
    .selectFrom('trade')
    .leftJoin('user as decliner', 'decliner.id', 'trade.declinedById')
    .select(['trade.id', 'trade.status', 'trade.dateCreated', 'trade.submittedAt', 'trade.declinedReason', 'decliner.displayName as decliningUser'])
    .where('trade.id', '=', tradeId)
    .executeTakeFirst();
}

async function loadParticipants(trx: Trx, tradeId: string) {
  // participantType sorts as the enum is declared: creator ('1') before recipients ('2').
  return trx
    .selectFrom('trade_participant')
    .select(['trade_participant.teamId', 'trade_participant.participantType'])
    .where('trade_participant.tradeId', '=', tradeId)
    .orderBy('trade_participant.participantType')
    .orderBy('trade_participant.id')
    .execute();
}

/** Every item with its player or pick, in one query: `tradeItemId` names one or the other by type. */
async function loadItems(trx: Trx, tradeId: string) {
  return trx
    .selectFrom('trade_item')
    .leftJoin('player', (join) => join.onRef('player.id', '=', 'trade_item.tradeItemId').on('trade_item.tradeItemType', '=', PLAYER))
    .leftJoin('draft_pick', (join) => join.onRef('draft_pick.id', '=', 'trade_item.tradeItemId').on('trade_item.tradeItemType', '=', PICK))
    .select([
      'trade_item.id',
      'trade_item.tradeItemType',
      'trade_item.senderId',
      'trade_item.recipientId',
      'player.name',
      'player.league',
      // §5.3, as hydrated_majors: the column, else the ESPN pro team id kept in meta.
      sql<string | null>`COALESCE(${sql.ref('player.mlbTeam')}, ${sql.ref('player.meta')}->>'proTeamId')`.as('majorMlbTeam'),
      metaText('position').as('majorPosition'),
      // §5.3, as hydrated_minors: what the minors sync copied from the sheet.
      metaText('minorLeaguePlayerFromSheet', 'mlbTeam').as('minorMlbTeam'),
      metaText('minorLeaguePlayerFromSheet', 'position').as('minorPosition'),
      metaText('minorLeaguePlayerFromSheet', 'leagueLevel').as('minorLevel'),
      'draft_pick.type as pickType',
      'draft_pick.round',
      'draft_pick.season',
      'draft_pick.originalOwnerId',
    ])
    .where('trade_item.tradeId', '=', tradeId)
    .orderBy('trade_item.id')
    .execute();
}

/** The teams with their users (a team without users comes once, with null user columns), by team then user id. */
async function loadTeams(trx: Trx, teamIds: readonly string[]) {
  if (teamIds.length === 0) return [];
  return trx
    .selectFrom('team')
    .leftJoin('user', 'user.teamId', 'team.id')
    .select(['team.id as teamId', 'team.name', 'user.id as userId', 'user.displayName', 'user.csvName', 'user.discordUserId'])
    .where('team.id', 'in', teamIds)
    .orderBy('team.id')
    .orderBy('user.id')
    .execute();
}

/** §5.4: the first non-blank csvName of the team's users (by user id), else its name, else "Unknown". */
function teamLabel(name: string, owners: readonly TradeOwner[]): string {
  for (const owner of owners) {
    const csvName = blankToNull(owner.csvName);
    if (csvName !== null) return csvName;
  }
  return name.trim() === '' ? 'Unknown' : name;
}

function buildTeams(rows: Awaited<ReturnType<typeof loadTeams>>): Map<string, TradeTeam> {
  const grouped = new Map<string, { name: string; owners: TradeOwner[] }>();
  for (const row of rows) {
    let team = grouped.get(row.teamId);
    if (!team) grouped.set(row.teamId, (team = { name: row.name, owners: [] }));
    if (row.userId !== null) {
      team.owners.push({ userId: row.userId, displayName: row.displayName, csvName: row.csvName, discordUserId: blankToNull(row.discordUserId) });
    }
  }
  const teams = new Map<string, TradeTeam>();
  for (const [id, { name, owners }] of grouped) teams.set(id, { id, name, label: teamLabel(name, owners), owners });
  return teams;
}

function buildItem(row: Awaited<ReturnType<typeof loadItems>>[number]): TradeItemView {
  const base = { id: row.id, senderTeamId: row.senderId, recipientTeamId: row.recipientId };
  if (itemTypes[row.tradeItemType] === 'pick') {
    return {
      ...base,
      kind: 'pick',
      type: row.pickType === null ? null : pickTypes[row.pickType],
      round: roundOf(row.round),
      season: row.season,
      originalOwnerTeamId: row.originalOwnerId,
    };
  }
  // A missing player (or one without a league) shows as a major leaguer: "Unknown Player" (§5.3).
  if (row.league !== null && leagues[row.league] === 'minor') {
    return { ...base, kind: 'minor', name: row.name, mlbTeam: row.minorMlbTeam, position: row.minorPosition, level: row.minorLevel };
  }
  return { ...base, kind: 'major', name: row.name, mlbTeam: row.majorMlbTeam, position: row.majorPosition };
}

const kindOrder: Readonly<Record<TradeItemView['kind'], number>> = { major: 0, minor: 1, pick: 2 };

/**
 * One trade as the Discord messages show it, or undefined when there is none with that id (a
 * non-UUID id included). Four selects whatever the trade's size (trade, participants, items with
 * their players and picks, the teams named with their users) inside one read-only repeatable-read
 * transaction, so the teams always cover what the items name. `db` must not be a transaction.
 */
export async function loadTradeView(db: OwnerDb, tradeId: string): Promise<TradeView | undefined> {
  if (!isUuid(tradeId)) return undefined;
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const trade = await loadTrade(trx, tradeId);
      if (!trade) return undefined;
      const participantRows = await loadParticipants(trx, tradeId);
      const itemRows = await loadItems(trx, tradeId);

      const teamIds = new Set<string>();
      for (const row of participantRows) if (row.teamId !== null) teamIds.add(row.teamId);
      for (const row of itemRows) for (const id of [row.senderId, row.recipientId, row.originalOwnerId]) if (id !== null) teamIds.add(id);
      const teams = buildTeams(await loadTeams(trx, [...teamIds].sort()));

      // A participant row without a team (or whose team is gone) has nothing to show: left out.
      const participants: TradeParticipant[] = [];
      for (const row of participantRows) {
        const team = row.teamId === null ? undefined : teams.get(row.teamId);
        if (team) participants.push({ team, role: roles[row.participantType] });
      }
      const items = itemRows.map(buildItem).sort((a, b) => kindOrder[a.kind] - kindOrder[b.kind]);

      return {
        id: trade.id,
        // Passed through, not interpreted here: trade_status_enum is not in the contract.
        status: trade.status,
        dateCreated: trade.dateCreated,
        submittedAt: trade.submittedAt,
        participants,
        teams,
        items,
        decliningUser: trade.decliningUser,
        declinedReason: trade.declinedReason,
      } satisfies TradeView;
    });
}
