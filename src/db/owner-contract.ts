/**
 * What the worker relies on in the owner's schema: per table and view, the columns its queries use
 * and how; the unique keys its upserts name in ON CONFLICT; the enum labels it writes or interprets.
 *
 * It is not a wish list: `OwnerDb` (src/db/database.ts) is `Kysely<OwnerDB>`, the generated `DB`
 * restricted to this contract, so a query that uses anything else does not type-check, and
 * test/schema-validation/contract-usage.test.ts fails for an entry no query uses. The schema check
 * (src/db/schema-check/) compares exactly this with a live database.
 */
import type {
  DB,
  DraftPickTypeEnum,
  ObanJobState,
  PlayerLeagueEnum,
  Syncdatabasescope,
  Syncjobstatus,
  Syncjobtype,
  TradeItemTradeitemtypeEnum,
  TradeParticipantParticipanttypeEnum,
} from './types.generated.ts';

/**
 * How a query uses a column. `read`: its value reaches the worker's code (select); `filter`: only
 * named in SQL (where, on conflict, an expression); `update` / `insert`: the worker writes it.
 * The check judges a type change by these (see type-compatibility.ts).
 */
export type ColumnUse = 'read' | 'filter' | 'update' | 'insert';

type ColumnsOf<Relation> = { readonly [Column in keyof Relation]?: readonly ColumnUse[] };

/** The generated union of each enum the contract may name, so its labels are checked at compile time. */
export interface OwnerEnums {
  SyncJobType: Syncjobtype;
  SyncJobStatus: Syncjobstatus;
  SyncDatabaseScope: Syncdatabasescope;
  draft_pick_type_enum: DraftPickTypeEnum;
  player_league_enum: PlayerLeagueEnum;
  trade_item_tradeitemtype_enum: TradeItemTradeitemtypeEnum;
  trade_participant_participanttype_enum: TradeParticipantParticipanttypeEnum;
  oban_job_state: ObanJobState;
}

export interface EnumContract<Label extends string> {
  /** The labels the worker writes or gives a meaning to; removing or renaming one breaks it. */
  readonly labels: readonly Label[];
  /** `read`: the worker interprets values it reads, so a new label needs handling (a warning). */
  readonly use: 'read' | 'write';
  /** Where the labels are used, for the report. */
  readonly usedBy: string;
}

export interface OwnerContractShape {
  readonly tables: { readonly [Table in keyof DB]?: { readonly columns: ColumnsOf<DB[Table]>; readonly uniqueKeys?: readonly (readonly (keyof DB[Table] & string)[])[] } };
  readonly views: { readonly [View in keyof DB]?: { readonly columns: ColumnsOf<DB[View]> } };
  readonly enums: { readonly [Enum in keyof OwnerEnums]?: EnumContract<OwnerEnums[Enum]> };
}

export const ownerContract = {
  tables: {
    // espn.team-sync: update-teams.ts
    team: {
      columns: {
        // espn.players-sync: players-load.ts joins the owning team (and reads its espnId as
        // ownerEspnId), players-write.ts resolves onTeamId; discord: load-trade-view.ts reads the
        // teams a trade names
        id: ['read', 'filter'],
        espnId: ['read', 'filter'],
        name: ['read', 'update'],
        espnTeam: ['update'],
        lastSyncedAt: ['update'],
        dateModified: ['update'],
      },
    },
    // espn.players-sync: players-load.ts reads the candidates, players-write.ts updates and inserts
    player: {
      columns: {
        id: ['read', 'filter', 'insert'],
        name: ['read', 'filter', 'update', 'insert'],
        league: ['read', 'filter', 'insert'],
        mlbTeam: ['read', 'update', 'insert'],
        playerDataId: ['read', 'filter', 'update', 'insert'],
        leagueTeamId: ['read', 'update', 'insert'],
        meta: ['read', 'filter', 'update', 'insert'],
        lastSyncedAt: ['update', 'insert'],
        dateCreated: ['insert'],
        dateModified: ['filter', 'update', 'insert'],
      },
      uniqueKeys: [['name', 'playerDataId']],
    },
    // email.send: load-email-data.ts loadUser; discord: load-trade-view.ts (a team's owners, the
    // decliner), notification-settings.ts loadNotificationTarget; discord commands:
    // commands/trade-list.ts finds the caller by discordUserId and labels teams by csvName
    user: {
      columns: {
        id: ['read', 'filter'],
        email: ['read'],
        displayName: ['read'],
        csvName: ['read', 'filter'],
        teamId: ['read', 'filter'],
        discordUserId: ['read', 'filter'],
        userSettings: ['read'],
        // inbox: reset-tokens.ts, the token a reset_password row's link carries
        passwordResetToken: ['read'],
      },
    },
    // discord: load-trade-view.ts; discord commands: commands/trade-list.ts filters by status and
    // orders by dateCreated
    trade: {
      columns: {
        id: ['read', 'filter'],
        status: ['read', 'filter'],
        dateCreated: ['read', 'filter'],
        submittedAt: ['read'],
        declinedById: ['filter'],
        declinedReason: ['read'],
      },
    },
    // discord: load-trade-view.ts; discord commands: commands/trade-list.ts (the caller's trades)
    trade_participant: {
      columns: {
        id: ['filter'],
        tradeId: ['filter'],
        teamId: ['read', 'filter'],
        participantType: ['read', 'filter'],
      },
    },
    // discord: load-trade-view.ts; tradeItemId is a player id (type '1') or a draft_pick id ('2')
    trade_item: {
      columns: {
        id: ['read', 'filter'],
        tradeId: ['filter'],
        tradeItemId: ['filter'],
        tradeItemType: ['read', 'filter'],
        senderId: ['read'],
        recipientId: ['read'],
      },
    },
    // sheets.draft-picks-sync; discord: load-trade-view.ts joins a trade's picks by id
    draft_pick: {
      columns: {
        id: ['filter', 'insert'],
        type: ['read', 'filter', 'insert'],
        season: ['read', 'filter', 'insert'],
        round: ['read', 'filter', 'insert'],
        originalOwnerId: ['read', 'filter', 'insert'],
        currentOwnerId: ['read', 'update', 'insert'],
        pickNumber: ['read', 'update', 'insert'],
        lastSyncedAt: ['update', 'insert'],
        dateCreated: ['insert'],
        dateModified: ['update', 'insert'],
      },
      uniqueKeys: [['type', 'season', 'round', 'originalOwnerId']],
    },
    // email.send: record-email.ts, an insert that ON CONFLICT ("messageId") does nothing
    email: {
      columns: {
        messageId: ['insert', 'filter'],
        status: ['read', 'insert', 'update', 'filter'],
        tradeId: ['insert'],
        dateModified: ['update'],
      },
      uniqueKeys: [['messageId']],
    },
    // every sync: src/db/sync-executions.ts
    sync_job_execution: {
      columns: {
        id: ['insert', 'filter'],
        jobType: ['insert', 'filter'],
        databaseScope: ['insert'],
        status: ['insert', 'update', 'filter'],
        startedAt: ['insert', 'filter'],
        completedAt: ['update'],
        dateCreated: ['insert'],
        dateModified: ['insert', 'update'],
        durationMs: ['update'],
        recordsProcessed: ['update'],
        recordsUpdated: ['update'],
        recordsSkipped: ['update'],
        errorMessage: ['update'],
        // inbox: outcomes.ts links a sync's run to its oban_jobs row once the job starts
        obanJobId: ['insert'],
        traceId: ['insert'],
        metadata: ['insert', 'update', 'filter'],
      },
    },
    // inbox: claim.ts claims, discards and releases rows; outcomes.ts reads the rows in flight and
    // writes pg-boss's outcome back; prune.ts deletes finished rows. The owner inserts the rows.
    oban_jobs: {
      columns: {
        id: ['read', 'filter'],
        state: ['filter', 'update'],
        queue: ['read', 'filter'],
        worker: ['read', 'filter'],
        args: ['read'],
        attempt: ['read', 'filter', 'update'],
        max_attempts: ['read'],
        priority: ['filter'],
        scheduled_at: ['filter', 'update'],
        inserted_at: ['filter'],
        attempted_at: ['filter', 'update'],
        attempted_by: ['filter', 'update'],
        completed_at: ['filter', 'update'],
        discarded_at: ['filter', 'update'],
        cancelled_at: ['filter', 'update'],
        errors: ['filter', 'update'],
      },
    },
  },
  views: {
    // email.send: load-email-data.ts loadTrade
    hydrated_trades: {
      columns: {
        tradeId: ['read', 'filter'],
        tradeCreator: ['read'],
        tradeRecipients: ['read'],
        decliningUser: ['read'],
        declinedReason: ['read'],
        tradedMajors: ['read'],
        tradedMinors: ['read'],
        tradedPicks: ['read'],
      },
    },
  },
  enums: {
    SyncJobType: {
      labels: ['espn_team_sync', 'mlb_players_sync', 'minors_sync', 'draft_picks_sync'],
      use: 'write',
      usedBy: 'sync_job_execution."jobType", written by espn.team-sync, espn.players-sync, sheets.minors-sync and sheets.draft-picks-sync',
    },
    SyncJobStatus: { labels: ['started', 'completed', 'failed'], use: 'write', usedBy: 'sync_job_execution.status, written by every sync' },
    SyncDatabaseScope: { labels: ['production', 'staging', 'both'], use: 'write', usedBy: 'sync_job_execution."databaseScope", a sync payload\'s scope' },
    draft_pick_type_enum: { labels: ['1', '2', '3'], use: 'read', usedBy: 'draft_pick.type, written by sheets.draft-picks-sync; hydrated_trades."tradedPicks"[].type, named in trade emails' },
    player_league_enum: { labels: ['1', '2'], use: 'read', usedBy: 'player.league: a traded player is a major or a minor leaguer in the Discord trade view' },
    trade_item_tradeitemtype_enum: { labels: ['1', '2'], use: 'read', usedBy: 'trade_item."tradeItemType": whether "tradeItemId" is a player or a draft pick (Discord trade view)' },
    trade_participant_participanttype_enum: { labels: ['1', '2'], use: 'read', usedBy: 'trade_participant."participantType": creator or recipient (Discord trade view)' },
    oban_job_state: {
      labels: ['available', 'executing', 'completed', 'discarded', 'cancelled'],
      use: 'write',
      usedBy: 'oban_jobs.state: the inbox claims available rows, marks them executing, writes completed, discarded or cancelled back, hands rows back as available and prunes finished ones',
    },
  },
} as const satisfies OwnerContractShape;

export type OwnerContract = typeof ownerContract;

type ContractRelations<C extends OwnerContractShape> = C['tables'] & C['views'];

/** `DB` restricted to the contract's tables, views and columns: what `OwnerDb` queries can see. */
export type ContractDB<C extends OwnerContractShape> = {
  [Name in keyof ContractRelations<C> & keyof DB]: Pick<DB[Name], keyof NonNullable<ContractRelations<C>[Name]>['columns'] & keyof DB[Name]>;
};

export type OwnerDB = ContractDB<OwnerContract>;

/** The labels of an enum the contract relies on, for code that writes them. */
export type ContractEnumLabel<Enum extends keyof OwnerContract['enums']> = OwnerContract['enums'][Enum]['labels'][number];
