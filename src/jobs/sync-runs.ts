/**
 * Per-target run tracking shared by the syncs (jobs-reference §6.2): one `sync_job_execution` row per
 * target, opened before any work and always closed, completed or failed.
 */
import { z } from 'zod';
import type { Logger } from 'pino';
import type { Target } from '../db/targets.ts';
import type { ContractEnumLabel } from '../db/owner-contract.ts';
import { completeSyncExecution, failSyncExecution, closeAbandonedExecutions, startSyncExecution, type SyncCounts } from '../db/sync-executions.ts';
import type { JobContext } from './define-job.ts';
import { PermanentJobError } from './outcomes.ts';

/** The `databaseScope` payload field every sync takes. */
export type DatabaseScope = ContractEnumLabel<'SyncDatabaseScope'>;

/** The payload every sync takes: which owner databases to update. */
export const syncScopePayload = z
  .object({
    /** Which owner databases to update. Default: production. */
    databaseScope: z.enum(['production', 'staging', 'both'] as const satisfies readonly DatabaseScope[]).default('production'),
  })
  .strict();

/** A target and the `sync_job_execution` row recording this run in it. */
export interface TrackedTarget {
  readonly target: Target;
  readonly executionId: string;
  done: boolean;
}

/** The scope's targets; a scope naming an unconfigured database can never succeed, so it is permanent. */
export function targetsFor(scope: DatabaseScope, ctx: JobContext): Target[] {
  try {
    return ctx.targets.forScope(scope);
  } catch (error) {
    throw new PermanentJobError('TARGET_NOT_CONFIGURED', error instanceof Error ? error.message : String(error), { cause: error });
  }
}

/** Opens an execution row per target before any work, so even a failed ESPN fetch is recorded. */
export async function startExecutions(
  targets: readonly Target[],
  jobType: ContractEnumLabel<'SyncJobType'>,
  scope: DatabaseScope,
  ctx: JobContext,
): Promise<TrackedTarget[]> {
  const tracked: TrackedTarget[] = [];
  try {
    for (const target of targets) {
      const abandoned = await closeAbandonedExecutions(target.db, jobType);
      if (abandoned > 0) ctx.log.warn({ target: target.name, jobType, abandoned }, 'closed runs left "started" by a worker that stopped or died');
      const executionId = await startSyncExecution(target.db, {
        jobType,
        databaseScope: scope,
        jobId: ctx.jobId,
        traceId: ctx.traceId,
        // Only in the row's own schema: each schema's oban_jobs ids are its own (§6.2's collision).
        obanJobId: ctx.obanJob?.target === target.name ? ctx.obanJob.id : undefined,
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
export async function failUnfinished(tracked: readonly TrackedTarget[], error: unknown, log: Logger): Promise<void> {
  for (const entry of tracked.filter((candidate) => !candidate.done)) {
    try {
      // Not through the job's signal: a sync cut off by a stop must still say so, not stay "started".
      await failSyncExecution(entry.target.unboundDb, entry.executionId, error);
    } catch (recordError) {
      log.error({ err: recordError, target: entry.target.name, executionId: entry.executionId }, 'could not mark the sync execution failed');
    }
  }
}

/** What one target's sync hands back: its part of the job's result, and what its execution row records. */
export interface TargetOutcome<TargetResult> {
  readonly result: TargetResult;
  readonly execution: SyncCounts;
}

export interface TrackedSyncSteps<Shared, TargetResult> {
  /** Once, after the rows are opened: fetch and parse upstream (a failure here is recorded in every row). */
  prepare(): Promise<Shared>;
  /** Per target in turn: write, and say what was done. A throw fails this row and the ones after it. */
  syncTarget(target: Target, shared: Shared): Promise<TargetOutcome<TargetResult>>;
}

/**
 * The shape every sync shares: an execution row per target of the scope opened before any work,
 * `prepare` once, then `syncTarget` per target, each completing its own row as it ends; any failure
 * fails the rows not yet completed and is rethrown for the queue to retry or dead-letter.
 */
export async function runTrackedSync<Shared, TargetResult>(
  ctx: JobContext,
  scope: DatabaseScope,
  jobType: ContractEnumLabel<'SyncJobType'>,
  steps: TrackedSyncSteps<Shared, TargetResult>,
): Promise<{ shared: Shared; results: TargetResult[] }> {
  const tracked = await startExecutions(targetsFor(scope, ctx), jobType, scope, ctx);
  try {
    const shared = await steps.prepare();
    const results: TargetResult[] = [];
    for (const entry of tracked) {
      ctx.signal.throwIfAborted();
      const { result, execution } = await steps.syncTarget(entry.target, shared);
      await completeSyncExecution(entry.target.db, entry.executionId, execution);
      entry.done = true;
      results.push(result);
    }
    return { shared, results };
  } catch (error) {
    await failUnfinished(tracked, error, ctx.log);
    throw error;
  }
}
