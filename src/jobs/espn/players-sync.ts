/**
 * `espn.players-sync` (jobs-reference §1, issue 8): ESPN's whole MLB player pool, fetched once, then
 * matched to each target's `player` rows and written set-based, one transaction per target.
 */
import { seasonFor } from '../../config.ts';
import type { Target } from '../../db/targets.ts';
import { countSyncRecords, recordPlayersDiscrepancies } from '../../telemetry/domain-metrics.ts';
import { defineJob, type JobContext } from '../define-job.ts';
import { PermanentJobError } from '../outcomes.ts';
import { runTrackedSync, syncScopePayload, type TargetOutcome } from '../sync-runs.ts';
import type { EspnPlayer } from './espn-player.ts';
import { fetchPlayerPages } from './players-client.ts';
import { loadPlayerRows } from './players-load.ts';
import { planPlayerSync } from './players-match.ts';
import type { AmbiguousPlayer, DuplicateEspnId, UpdateConflict } from './players-plan.ts';
import { writePlayerSync } from './players-write.ts';

/** How many entries of each id list a result carries; the counts are always whole. */
export const PLAYERS_RESULT_LIST_LIMIT = 50;


/** What one target got out of the run; the job's result lists one per target. */
export interface PlayersSyncTargetResult {
  readonly target: Target['name'];
  /** ESPN players in the pool. */
  readonly processed: number;
  /** Rows really changed plus rows inserted. */
  readonly updated: number;
  readonly inserted: number;
  readonly unchanged: number;
  readonly skipped: number;
  readonly ownersDiffering: number;
  readonly missingFromEspn: number;
  readonly ownershipUnknownTeams: readonly number[];
  /** The first PLAYERS_RESULT_LIST_LIMIT of each; their counts are beside them. */
  readonly ambiguousCount: number;
  readonly ambiguous: readonly AmbiguousPlayer[];
  readonly duplicateEspnIdCount: number;
  readonly duplicateEspnIds: readonly DuplicateEspnId[];
  readonly conflictCount: number;
  readonly conflicts: readonly UpdateConflict[];
}

export interface PlayersSyncResult {
  readonly seasonYear: number;
  readonly poolSize: number;
  readonly targets: readonly PlayersSyncTargetResult[];
}

export const playersSync = defineJob({
  name: 'espn.players-sync',
  description: "Update and add players from ESPN's MLB player pool",
  payload: syncScopePayload,
  // stately: at most one queued and one running across all worker processes (§6.1's lock, in pg-boss;
  // Oban's espn_sync queue ran 1 at a time). retryLimit 2: 3 attempts, as Oban's max_attempts (§6.7).
  queue: { policy: 'stately', retryLimit: 2, retryDelaySeconds: 60, expireInSeconds: 1800 },
  // The owner's schedule (§6.6): 07:32 UTC daily, as Oban.Production ran EspnMlbPlayersSync.
  cron: { expression: '32 7 * * *', tz: 'UTC', payload: {} },
  async run({ databaseScope }, ctx): Promise<PlayersSyncResult> {
    const seasonYear = seasonFor(ctx.config.espn, new Date());
    const { shared: pool, results } = await runTrackedSync(ctx, databaseScope, 'mlb_players_sync', {
      prepare: () => fetchPool(seasonYear, ctx),
      syncTarget: (target, pool) => syncTarget(target, pool, seasonYear, ctx),
    });
    return { seasonYear, poolSize: pool.length, targets: results };
  },
});

/** The whole pool, read once and held once (the pages' arrays are dropped as they are copied in). */
async function fetchPool(season: number, ctx: JobContext): Promise<EspnPlayer[]> {
  const espn = ctx.config.espn;
  if (espn.leagueId === undefined) throw new PermanentJobError('ESPN_NOT_CONFIGURED', 'ESPN_LEAGUE_ID is not set');
  const pool: EspnPlayer[] = [];
  const pages = fetchPlayerPages(
    {
      baseUrl: espn.baseUrl,
      leagueId: espn.leagueId,
      season,
      s2: espn.s2,
      swid: espn.swid,
      timeoutMs: espn.timeoutMs,
      pauseBetweenPagesMs: espn.playersPagePauseMs,
      onWarning: (warning) => ctx.log.warn({ code: warning.code, offset: warning.offset }, warning.message),
    },
    ctx.signal,
  );
  for await (const page of pages) {
    for (const player of page.players) pool.push(player);
  }
  return pool;
}

/** One target: load its rows, plan, write in one transaction, and report what was found. */
async function syncTarget(target: Target, pool: readonly EspnPlayer[], seasonYear: number, ctx: JobContext): Promise<TargetOutcome<PlayersSyncTargetResult>> {
  const rows = await loadPlayerRows(target.db);
  const plan = planPlayerSync(pool, rows);
  const counts = await writePlayerSync(target.db, plan, { now: new Date(), ownership: ctx.config.espn.syncOwnership });
  const result: PlayersSyncTargetResult = {
    target: target.name,
    processed: pool.length,
    updated: counts.updated + counts.inserted,
    inserted: counts.inserted,
    unchanged: counts.unchanged,
    skipped: counts.skipped,
    ownersDiffering: counts.ownersDiffering,
    missingFromEspn: plan.missingFromEspn,
    ownershipUnknownTeams: counts.ownershipUnknownTeams.slice(0, PLAYERS_RESULT_LIST_LIMIT),
    ambiguousCount: plan.ambiguous.length,
    ambiguous: plan.ambiguous.slice(0, PLAYERS_RESULT_LIST_LIMIT),
    duplicateEspnIdCount: plan.duplicateEspnIds.length,
    duplicateEspnIds: plan.duplicateEspnIds.slice(0, PLAYERS_RESULT_LIST_LIMIT),
    conflictCount: plan.conflicts.length,
    conflicts: plan.conflicts.slice(0, PLAYERS_RESULT_LIST_LIMIT),
  };
  if (plan.ambiguous.length + plan.duplicateEspnIds.length + plan.conflicts.length + counts.ownershipUnknownTeams.length > 0) {
    ctx.log.warn(
      {
        target: target.name,
        ambiguous: result.ambiguous,
        duplicateEspnIds: result.duplicateEspnIds,
        conflicts: result.conflicts,
        ownershipUnknownTeams: result.ownershipUnknownTeams,
      },
      'players the sync could not settle (first 50 of each)',
    );
  }
  countSyncRecords('espn.players-sync', { updated: counts.updated, inserted: counts.inserted, skipped: counts.skipped });
  recordPlayersDiscrepancies(target.name, {
    owner_differs: counts.ownersDiffering,
    ambiguous: plan.ambiguous.length,
    duplicate_espn_id: plan.duplicateEspnIds.length,
    conflict: plan.conflicts.length,
    missing_from_espn: plan.missingFromEspn,
  });
  return {
    result,
    execution: {
      recordsProcessed: result.processed,
      recordsUpdated: result.updated,
      recordsSkipped: result.skipped,
      metadata: {
        inserted: result.inserted,
        unchanged: result.unchanged,
        ambiguousCount: result.ambiguousCount,
        duplicateEspnIdCount: result.duplicateEspnIdCount,
        conflictCount: result.conflictCount,
        ownersDiffering: result.ownersDiffering,
        missingFromEspn: result.missingFromEspn,
        ownershipUnknownTeamCount: counts.ownershipUnknownTeams.length,
        ownershipWritten: ctx.config.espn.syncOwnership,
        seasonYear,
      },
    },
  };
}
