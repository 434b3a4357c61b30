import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { OwnerDb } from './database.ts';
import type { ContractEnumLabel } from './owner-contract.ts';
import type { Json } from './types.generated.ts';

/** Free-form details of a run, stored in `sync_job_execution.metadata` (jsonb). */
/** Scalars, and lists of them (ids, names, problems), as the jsonb column stores them. */
type MetadataValue = string | number | boolean | null;
export type ExecutionMetadata = Readonly<Record<string, MetadataValue | readonly MetadataValue[]>>;

/** The statuses the worker writes, as the contract declares them. */
type ExecutionStatus = ContractEnumLabel<'SyncJobStatus'>;

export interface StartSyncExecution {
  /** Only the labels the contract declares: a new job type is declared there first, then drift-checked. */
  readonly jobType: ContractEnumLabel<'SyncJobType'>;
  readonly databaseScope: ContractEnumLabel<'SyncDatabaseScope'>;
  /** The pg-boss job id (a UUID). */
  readonly jobId: string;
  readonly traceId: string | undefined;
  /** The owner's `oban_jobs` row this run came from, when it is in this target's schema; else null. */
  readonly obanJobId?: number | undefined;
  readonly metadata?: ExecutionMetadata;
}

export interface SyncCounts {
  readonly recordsProcessed: number;
  readonly recordsUpdated: number;
  readonly recordsSkipped: number;
  readonly metadata?: ExecutionMetadata;
}

/**
 * Records that a sync began, so the owner's admin page shows runs in progress and runs that died.
 * `obanJobId` is the id of the owner's `oban_jobs` row the run came from (the inbox), so the admin
 * page finds the run from the moment it starts; it cannot hold a pg-boss UUID, so a run enqueued
 * otherwise leaves it null. The pg-boss job id goes to `metadata.jobId` either way.
 */
export async function startSyncExecution(db: OwnerDb, start: StartSyncExecution): Promise<string> {
  const id = randomUUID();
  const now = new Date();
  await db
    .insertInto('sync_job_execution')
    .values({
      id,
      jobType: start.jobType,
      databaseScope: start.databaseScope,
      status: 'started' satisfies ExecutionStatus,
      startedAt: now,
      dateCreated: now,
      dateModified: now,
      traceId: start.traceId ?? null,
      obanJobId: start.obanJobId ?? null,
      metadata: { ...start.metadata, jobId: start.jobId },
    })
    .execute();
  return id;
}

/** Marks a run completed with its counts; duration is measured by the database from `startedAt`. */
export async function completeSyncExecution(db: OwnerDb, id: string, counts: SyncCounts): Promise<void> {
  const now = new Date();
  await db
    .updateTable('sync_job_execution')
    .set({
      status: 'completed' satisfies ExecutionStatus,
      completedAt: now,
      dateModified: now,
      durationMs: durationSinceStart(now),
      recordsProcessed: counts.recordsProcessed,
      recordsUpdated: counts.recordsUpdated,
      recordsSkipped: counts.recordsSkipped,
      metadata: mergedMetadata(counts.metadata ?? {}),
    })
    .where('id', '=', id)
    .execute();
}

/** Marks a run failed with the error's message (and its stable code in metadata), so nothing fails silently. */
export async function failSyncExecution(db: OwnerDb, id: string, error: unknown): Promise<void> {
  const now = new Date();
  const message = error instanceof Error ? error.message : String(error);
  const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : null;
  await db
    .updateTable('sync_job_execution')
    .set({
      status: 'failed' satisfies ExecutionStatus,
      errorMessage: message,
      dateModified: now,
      durationMs: durationSinceStart(now),
      metadata: mergedMetadata({ errorCode: code }),
    })
    .where('id', '=', id)
    .execute();
}

/**
 * Marks failed the runs of this job type still `started` in this database: with one run at a time
 * (the syncs' queues are stately), such a row belongs to a run whose worker stopped or died before
 * it could say how it ended. Called as a new run starts; returns how many it closed.
 */
export async function closeAbandonedExecutions(db: OwnerDb, jobType: StartSyncExecution['jobType']): Promise<number> {
  const now = new Date();
  const closed = await db
    .updateTable('sync_job_execution')
    .set({
      status: 'failed' satisfies ExecutionStatus,
      errorMessage: 'abandoned: the run ended without recording how (its worker stopped or died); a later run closed it',
      dateModified: now,
      metadata: mergedMetadata({ errorCode: 'ABANDONED' }),
    })
    .where('jobType', '=', jobType)
    .where('status', '=', 'started' satisfies ExecutionStatus)
    .executeTakeFirst();
  return Number(closed.numUpdatedRows);
}

/** Whole milliseconds from the row's `startedAt` to `now`, computed beside the stored value. */
function durationSinceStart(now: Date) {
  return sql<number>`floor(extract(epoch from (${now}::timestamp - "startedAt")) * 1000)::integer`;
}

/** Adds keys to the row's metadata without losing what start() stored (the job id). */
function mergedMetadata(extra: ExecutionMetadata) {
  return sql<Json>`coalesce("metadata", '{}'::jsonb) || ${JSON.stringify(extra)}::jsonb`;
}
