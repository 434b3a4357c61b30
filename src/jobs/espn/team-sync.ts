import type { Target } from '../../db/targets.ts';
import { completeSyncExecution } from '../../db/sync-executions.ts';
import { defineJob } from '../define-job.ts';
import { failUnfinished, startExecutions, targetsFor } from '../sync-runs.ts';
import { updateTeamsFromEspn } from './update-teams.ts';
import { countSyncRecords } from '../../telemetry/domain-metrics.ts';
import { syncScopePayload } from '../sync-runs.ts';


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
  // pg-boss in the database, so two syncs never write the same rows at once.
  queue: { policy: 'stately', retryLimit: 3, retryDelaySeconds: 30, expireInSeconds: 300 },
  cron: { expression: '0 9 * * *', tz: 'America/New_York', payload: {} },
  async run({ databaseScope }, ctx) {
    const tracked = await startExecutions(targetsFor(databaseScope, ctx), 'espn_team_sync', databaseScope, ctx);
    try {
      const teams = await ctx.clients.espn.fetchTeams(ctx.signal);
      const results: TeamSyncTargetResult[] = [];
      for (const entry of tracked) {
        ctx.signal.throwIfAborted();
        const counts = await updateTeamsFromEspn(entry.target.db, teams, new Date());
        if (counts.skipped > 0) {
          ctx.log.warn({ target: entry.target.name, espnIds: counts.skippedEspnIds }, 'ESPN teams without a team row were skipped');
        }
        await completeSyncExecution(entry.target.db, entry.executionId, {
          recordsProcessed: counts.processed,
          recordsUpdated: counts.updated,
          recordsSkipped: counts.skipped,
        });
        entry.done = true;
        countSyncRecords('espn.team-sync', { updated: counts.updated, skipped: counts.skipped });
        results.push({ target: entry.target.name, processed: counts.processed, updated: counts.updated, skipped: counts.skipped });
      }
      return { targets: results };
    } catch (error) {
      await failUnfinished(tracked, error, ctx.log);
      throw error;
    }
  },
});
