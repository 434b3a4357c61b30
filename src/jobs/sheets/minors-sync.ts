/**
 * `sheets.minors-sync` (jobs-reference §2, issue 9): the league's minor-league sheet, fetched once
 * and parsed once, then guarded and written per target in one transaction (minors-write.ts).
 * A sheet that fails a guard writes nothing anywhere it failed, and the run fails saying why.
 */
import type { Target } from '../../db/targets.ts';
import { countSyncRecords } from '../../telemetry/domain-metrics.ts';
import { defineJob } from '../define-job.ts';
import { runTrackedSync, syncScopePayload } from '../sync-runs.ts';
import { readLeagueSheet } from './read-sheet.ts';
import { parseMinorsSheet } from './minors-parse.ts';
import { syncMinorsTarget } from './minors-write.ts';
import { describeProblem } from './sheet-problems.ts';

/** How many unknown owner names the run's metadata and result carry. */
export const MINORS_UNKNOWN_OWNERS_LIMIT = 20;
/** How many described problems the run's metadata and result carry. */
export const MINORS_PROBLEMS_LIMIT = 50;

export interface MinorsSyncTargetResult {
  readonly target: Target['name'];
  /** Rows the sheet matched (changed + unchanged). */
  readonly matched: number;
  readonly changed: number;
  readonly unchanged: number;
  readonly inserted: number;
  readonly cleared: number;
  readonly skippedNoOwner: number;
  /** Second listings of a player under another owner, ignored. */
  readonly duplicates: number;
  /** Owned minors off the sheet kept owned, because their team has no resolved owner on it. */
  readonly keptUnlisted: number;
  /** The first MINORS_UNKNOWN_OWNERS_LIMIT sheet owner names no csvName resolves. */
  readonly unknownOwners: readonly string[];
}

export interface MinorsSyncResult {
  readonly sheetId: string;
  readonly gid: string;
  /** Players the sheet lists. */
  readonly sheetPlayers: number;
  /** All the parser's problems (warnings, since errors stop the run), the first MINORS_PROBLEMS_LIMIT described. */
  readonly problemCount: number;
  readonly problems: readonly string[];
  readonly targets: readonly MinorsSyncTargetResult[];
}

export const minorsSync = defineJob({
  name: 'sheets.minors-sync',
  description: "Update minor leaguers and their owners from the league's minor-league sheet",
  payload: syncScopePayload,
  // stately: one queued and one running across all workers (§6.1's lock; Oban's minors_sync queue ran 1
  // at a time, §6.7). retryLimit 4: 5 attempts, as Oban's max_attempts for its own cron runs (§2.1, §6.7).
  queue: { policy: 'stately', retryLimit: 4, retryDelaySeconds: 60, expireInSeconds: 900 },
  // The owner's schedule (§6.6): 02:00 UTC daily.
  cron: { expression: '0 2 * * *', tz: 'UTC', payload: {} },
  async run({ databaseScope }, ctx): Promise<MinorsSyncResult> {
    const { shared, results } = await runTrackedSync(ctx, databaseScope, 'minors_sync', {
      prepare: async () => {
        const read = await readLeagueSheet('minors', ctx);
        const sheet = parseMinorsSheet(read.rows);
        const problems = sheet.problems.slice(0, MINORS_PROBLEMS_LIMIT).map(describeProblem);
        if (sheet.problems.length > 0) ctx.log.warn({ problemCount: sheet.problems.length, problems }, 'the minors sheet has problems (first 50)');
        return { ...read, sheet, problems };
      },
      syncTarget: async (target, { sheetId, gid, sheet, problems }) => {
        const { counts, plan } = await syncMinorsTarget(target.db, sheet, { now: new Date(), guards: ctx.config.sheets.guards, targetName: target.name });
        const result: MinorsSyncTargetResult = {
          target: target.name,
          matched: counts.matched,
          changed: counts.changed,
          unchanged: counts.unchanged,
          inserted: counts.inserted,
          cleared: counts.cleared,
          skippedNoOwner: counts.skippedNoOwner,
          duplicates: plan.duplicates.length,
          keptUnlisted: plan.keptUnlisted,
          unknownOwners: plan.unknownOwners.slice(0, MINORS_UNKNOWN_OWNERS_LIMIT),
        };
        if (plan.unknownOwners.length > 0) {
          ctx.log.warn(
            { target: target.name, unknownOwners: result.unknownOwners, skippedNoOwner: counts.skippedNoOwner, keptUnlisted: plan.keptUnlisted },
            'sheet owners that match no user csvName: their players were skipped and their teams\' minors left owned',
          );
        }
        countSyncRecords('sheets.minors-sync', { updated: counts.changed, inserted: counts.inserted, skipped: counts.skippedNoOwner, cleared: counts.cleared });
        return {
          result,
          execution: {
            recordsProcessed: counts.matched + counts.inserted,
            recordsUpdated: counts.changed + counts.inserted,
            recordsSkipped: counts.skippedNoOwner,
            metadata: {
              sheetId,
              gid,
              matched: counts.matched,
              unchanged: counts.unchanged,
              inserted: counts.inserted,
              cleared: counts.cleared,
              skippedNoOwner: counts.skippedNoOwner,
              duplicates: result.duplicates,
              keptUnlisted: result.keptUnlisted,
              unknownOwners: result.unknownOwners,
              problemCount: sheet.problems.length,
              problems,
            },
          },
        };
      },
    });
    const { sheetId, gid, sheet, problems } = shared;
    return { sheetId, gid, sheetPlayers: sheet.players.length, problemCount: sheet.problems.length, problems, targets: results };
  },
});
