/**
 * `sheets.draft-picks-sync` (jobs-reference §3, issue 9): the league's draft-picks sheet, fetched and parsed once,
 * then per target: owners resolved against `user."csvName"`, the guards checked (a sheet that fails them writes
 * nothing), and the picks upserted set-based in one transaction. One `sync_job_execution` row per target, always
 * closed: completed with counts, or failed with the error (the guards' problems listed in it).
 */
import type { Target } from '../../db/targets.ts';
import { countSyncRecords } from '../../telemetry/domain-metrics.ts';
import { defineJob, type JobContext } from '../define-job.ts';
import { PermanentJobError } from '../outcomes.ts';
import { runTrackedSync, syncScopePayload } from '../sync-runs.ts';
import { readLeagueSheet } from './read-sheet.ts';
import { checkDraftPicksSheet, type ResolvedSheetPick } from './draft-picks-guards.ts';
import { parseDraftPicksSheet, type DraftPicksSheet, type PickType } from './draft-picks-parse.ts';
import { dedupeDraftPicks, writeDraftPicks, type DraftPickTypeLabel, type DraftPickWriteRow } from './draft-picks-write.ts';
import { minorLeagueSeasonFor } from './draft-season.ts';
import { loadOwnerMap } from './sheet-owners.ts';
import { describeProblem, type SheetProblem } from './sheet-problems.ts';

/** Unknown owner names a result and the run's metadata carry; the counts are always whole. */
export const DRAFT_PICKS_UNKNOWN_OWNERS_LIMIT = 20;
/** Problems a result and the run's metadata carry (described), and a guard failure's message lists. */
export const DRAFT_PICKS_PROBLEMS_LIMIT = 50;

/** The `draft_pick.type` label of each parsed pick type. */
export const draftPickTypeLabels: Readonly<Record<PickType, DraftPickTypeLabel>> = { majors: '1', high: '2', low: '3' };

/** What one target got out of the run. */
export interface DraftPicksSyncTargetResult {
  readonly target: Target['name'];
  /** Picks on the sheet. */
  readonly processed: number;
  /** Inserted plus really changed. */
  readonly updated: number;
  readonly inserted: number;
  readonly unchanged: number;
  /** Skipped for an unknown owner plus duplicates dropped. */
  readonly skipped: number;
  readonly skippedNoOwner: number;
  readonly duplicates: number;
  /** The first DRAFT_PICKS_UNKNOWN_OWNERS_LIMIT. */
  readonly unknownOwners: readonly string[];
  /** The first DRAFT_PICKS_PROBLEMS_LIMIT, described; `problemCount` has them all. */
  readonly problems: readonly string[];
  readonly problemCount: number;
}

export interface DraftPicksSyncResult {
  /** The minor-league season: high and low picks' season; majors picks are season + 1. */
  readonly season: number;
  readonly sheetId: string;
  readonly gid: string;
  readonly targets: readonly DraftPicksSyncTargetResult[];
}

export const draftPicksSync = defineJob({
  name: 'sheets.draft-picks-sync',
  description: "Upsert the league's draft picks from its draft-picks Google Sheet",
  payload: syncScopePayload,
  // stately: at most one queued and one running across all worker processes (§6.1's lock, in pg-boss;
  // Oban's draft_sync queue ran 1 at a time). retryLimit 2: 3 attempts, as Oban's max_attempts (§6.7).
  queue: { policy: 'stately', retryLimit: 2, retryDelaySeconds: 60, expireInSeconds: 900 },
  // The owner's schedule (§6.6): 03:00 UTC daily.
  cron: { expression: '0 3 * * *', tz: 'UTC', payload: {} },
  async run({ databaseScope }, ctx): Promise<DraftPicksSyncResult> {
    const now = new Date();
    // First (§3.1): stale thresholds fail before any execution row exists.
    const season = minorLeagueSeasonFor(ctx.config.sheets.draftSeasonThresholds, now);
    const { shared, results } = await runTrackedSync(ctx, databaseScope, 'draft_picks_sync', {
      prepare: async () => {
        const read = await readLeagueSheet('draftPicks', ctx);
        return { ...read, sheet: parseDraftPicksSheet(read.rows) };
      },
      syncTarget: async (target, { sheetId, gid, sheet }) => {
        const result = await syncTarget(target, sheet, season, ctx);
        countSyncRecords('sheets.draft-picks-sync', { inserted: result.inserted, updated: result.updated - result.inserted, skipped: result.skipped });
        return {
          result,
          execution: {
            recordsProcessed: result.processed,
            recordsUpdated: result.updated,
            recordsSkipped: result.skipped,
            metadata: {
              season,
              sheetId,
              gid,
              inserted: result.inserted,
              updated: result.updated - result.inserted,
              unchanged: result.unchanged,
              skippedNoOwner: result.skippedNoOwner,
              duplicates: result.duplicates,
              problemCount: result.problemCount,
              unknownOwners: result.unknownOwners,
              problems: result.problems,
            },
          },
        };
      },
    });
    return { season, sheetId: shared.sheetId, gid: shared.gid, targets: results };
  },
});

/** One target: owners, guards, write. Throws SHEET_GUARD_FAILED (nothing written) when the sheet fails the guards. */
async function syncTarget(target: Target, sheet: DraftPicksSheet, season: number, ctx: JobContext): Promise<DraftPicksSyncTargetResult> {
  const owners = await loadOwnerMap(target.db);
  const guard = checkDraftPicksSheet(sheet, owners, {
    expectedOwners: ctx.config.sheets.guards.expectedOwners,
    minShare: ctx.config.sheets.guards.draftPicksMinShare,
  });
  if (!guard.ok) {
    const errors = guard.problems.filter((problem) => problem.severity === 'error');
    const listed = errors.slice(0, DRAFT_PICKS_PROBLEMS_LIMIT).map(describeProblem);
    const more = errors.length > listed.length ? `; and ${errors.length - listed.length} more` : '';
    throw new PermanentJobError(
      'SHEET_GUARD_FAILED',
      `the draft-picks sheet failed its guards, nothing was written to ${target.name} (${errors.length} problems): ${listed.join('; ')}${more}`,
    );
  }

  const { kept, dropped } = dedupeDraftPicks(guard.resolved.map((resolved) => writeRowOf(resolved, season)));
  const problems: SheetProblem[] = [...guard.problems];
  for (const row of dropped) {
    problems.push({
      severity: 'warning',
      row: row.source.row,
      column: row.source.column,
      message: `type ${row.type} season ${row.season} round ${row.round} of the same original owner is already listed earlier; the first is kept`,
    });
  }
  const counts = await writeDraftPicks(target.db, kept, { now: new Date() });
  const described = problems.map(describeProblem);
  if (problems.length > 0) {
    ctx.log.warn(
      { target: target.name, unknownOwners: guard.unknownOwners.slice(0, DRAFT_PICKS_UNKNOWN_OWNERS_LIMIT), problems: described.slice(0, DRAFT_PICKS_PROBLEMS_LIMIT) },
      'draft-picks sheet problems (first 50); picks of unknown owners were skipped',
    );
  }
  return {
    target: target.name,
    processed: sheet.picks.length,
    updated: counts.inserted + counts.updated,
    inserted: counts.inserted,
    unchanged: counts.unchanged,
    skipped: guard.skippedNoOwner + dropped.length + counts.duplicates,
    skippedNoOwner: guard.skippedNoOwner,
    duplicates: dropped.length + counts.duplicates,
    unknownOwners: guard.unknownOwners.slice(0, DRAFT_PICKS_UNKNOWN_OWNERS_LIMIT),
    problems: described.slice(0, DRAFT_PICKS_PROBLEMS_LIMIT),
    problemCount: problems.length,
  };
}

/** A resolved pick as the row to write (majors → season + 1), keeping where it was on the sheet for reports. */
function writeRowOf({ pick, originalOwnerId, currentOwnerId }: ResolvedSheetPick, season: number): DraftPickWriteRow & { source: { row: number; column: number } } {
  return {
    type: draftPickTypeLabels[pick.type],
    season: pick.type === 'majors' ? season + 1 : season,
    round: pick.round,
    originalOwnerId,
    currentOwnerId,
    pickNumber: pick.pickNumber,
    source: { row: pick.row, column: pick.column },
  };
}
