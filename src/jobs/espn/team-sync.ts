import type { Target } from '../../db/targets.ts';
import { defineJob } from '../define-job.ts';
import { runTrackedSync, syncScopePayload } from '../sync-runs.ts';
import { updateTeamsFromEspn } from './update-teams.ts';
import { countSyncRecords } from '../../telemetry/domain-metrics.ts';

/** What one target got out of the run; the job's result lists one per target. */
export interface TeamSyncTargetResult {
  readonly target: Target['name'];
  readonly processed: number;
  readonly updated: number;
  readonly skipped: number;
}

export const teamSync = defineJob({
  name: 'espn.team-sync',
  description: "Update team names and ESPN data from the ESPN league's teams",
  payload: syncScopePayload,
  // stately: at most one queued and one running across all worker processes, enforced by
  // pg-boss in the database, so two syncs never write the same rows at once (Oban's espn_sync
  // queue ran 1 at a time, §6.7). retryLimit 2: 3 attempts, as Oban's max_attempts (§6.7).
  queue: { policy: 'stately', retryLimit: 2, retryDelaySeconds: 30, expireInSeconds: 300 },
  // The owner's schedule (§6.6): 07:22 UTC daily, as Oban.Production ran EspnTeamSync.
  cron: { expression: '22 7 * * *', tz: 'UTC', payload: {} },
  async run({ databaseScope }, ctx) {
    const { results } = await runTrackedSync(ctx, databaseScope, 'espn_team_sync', {
      prepare: () => ctx.clients.espn.fetchTeams(ctx.signal),
      syncTarget: async (target, teams) => {
        const counts = await updateTeamsFromEspn(target.db, teams, new Date());
        if (counts.skipped > 0) {
          ctx.log.warn({ target: target.name, espnIds: counts.skippedEspnIds }, 'ESPN teams without a team row were skipped');
        }
        countSyncRecords('espn.team-sync', { updated: counts.updated, skipped: counts.skipped });
        return {
          result: { target: target.name, processed: counts.processed, updated: counts.updated, skipped: counts.skipped } satisfies TeamSyncTargetResult,
          execution: { recordsProcessed: counts.processed, recordsUpdated: counts.updated, recordsSkipped: counts.skipped },
        };
      },
    });
    return { targets: results };
  },
});
