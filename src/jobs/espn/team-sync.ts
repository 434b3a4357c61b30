import { z } from 'zod';
import type { Logger } from 'pino';
import type { Target } from '../../db/targets.ts';
import { completeSyncExecution, failSyncExecution, startSyncExecution } from '../../db/sync-executions.ts';
import { defineJob, type JobContext } from '../define-job.ts';
import { PermanentJobError } from '../outcomes.ts';
import { updateTeamsFromEspn } from './update-teams.ts';
import { countSyncRecords } from '../../telemetry/domain-metrics.ts';

const payload = z
  .object({
    /** Which owner databases to update. Default: production. */
    databaseScope: z.enum(['production', 'staging', 'both']).default('production'),
  })
  .strict();

type DatabaseScope = z.output<typeof payload>['databaseScope'];

/** What one target got out of the run; the job's result lists one per target. */
export interface TeamSyncTargetResult {
  readonly target: Target['name'];
  readonly processed: number;
  readonly updated: number;
  readonly skipped: number;
}

/** A target and the `sync_job_execution` row recording this run in it. */
interface TrackedTarget {
  readonly target: Target;
  readonly executionId: string;
  done: boolean;
}

export const teamSync = defineJob({
  name: 'espn.team-sync',
  description: "Update team names and ESPN data from the ESPN league's teams",
  payload,
  // stately: at most one queued and one running across all worker processes, enforced by
  // pg-boss in the database, so two syncs never write the same rows at once.
  queue: { policy: 'stately', retryLimit: 3, retryDelaySeconds: 30, expireInSeconds: 300 },
  cron: { expression: '0 9 * * *', tz: 'America/New_York', payload: {} },
  async run({ databaseScope }, ctx) {
    const tracked = await startExecutions(targetsFor(databaseScope, ctx), databaseScope, ctx);
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

/** The scope's targets; a scope naming an unconfigured database can never succeed, so it is permanent. */
function targetsFor(scope: DatabaseScope, ctx: JobContext): Target[] {
  try {
    return ctx.targets.forScope(scope);
  } catch (error) {
    throw new PermanentJobError('TARGET_NOT_CONFIGURED', error instanceof Error ? error.message : String(error), { cause: error });
  }
}

/** Opens an execution row per target before any work, so even a failed ESPN fetch is recorded. */
async function startExecutions(targets: readonly Target[], scope: DatabaseScope, ctx: JobContext): Promise<TrackedTarget[]> {
  const tracked: TrackedTarget[] = [];
  try {
    for (const target of targets) {
      const executionId = await startSyncExecution(target.db, {
        jobType: 'espn_team_sync',
        databaseScope: scope,
        jobId: ctx.jobId,
        traceId: ctx.traceId,
        metadata: { target: target.name, attempt: ctx.attempt },
      });
      tracked.push({ target, executionId, done: false });
    }
  } catch (error) {
    // Staging unreachable after production's row was written: don't leave that row "started".
    await failUnfinished(tracked, error, ctx.log);
    throw error;
  }
  return tracked;
}

/**
 * Marks every execution not yet completed as failed. A failure to record the failure is logged,
 * never thrown, so the job's real error is the one the queue sees.
 */
async function failUnfinished(tracked: readonly TrackedTarget[], error: unknown, log: Logger): Promise<void> {
  for (const entry of tracked.filter((candidate) => !candidate.done)) {
    try {
      // Not through the job's signal: a sync cut off by a stop must still say so, not stay "started".
      await failSyncExecution(entry.target.unboundDb, entry.executionId, error);
    } catch (recordError) {
      log.error({ err: recordError, target: entry.target.name, executionId: entry.executionId }, 'could not mark the sync execution failed');
    }
  }
}
