/**
 * What the console asks the queue and the owner's database: queue counts, recent failures with
 * their errors, and per target the sync history, the owner's oban_jobs rows and the drift check.
 * Read-only, through pg-boss's public API (and, for counts that are current, one query on its job
 * table), Kysely and the targets' pools.
 */
import type { JobWithMetadata, PgBoss } from 'pg-boss';
import type { Targets, TargetName } from '../db/targets.ts';
import { deadLetterQueueName } from '../jobs/queue.ts';
import { checkSchema } from '../db/schema-check/check-schema.ts';
import type { SchemaCheckReport } from '../db/schema-check/report.ts';

/** One queue's jobs by state, counted from the job table when asked (not pg-boss's cached counts). */
export interface QueueCounts {
  readonly policy: string;
  /** Waiting to run (created or retry): ready + deferred + blocked. */
  readonly queued: number;
  /** Queued and runnable now. */
  readonly ready: number;
  /** Queued with a start time still ahead (startAfter, retry backoff). */
  readonly deferred: number;
  /** Queued behind jobs they depend on. */
  readonly blocked: number;
  /** Queued again after a failed attempt (part of queued). */
  readonly retry: number;
  readonly active: number;
  readonly completed: number;
  readonly cancelled: number;
  /** Out of retries; a copy sent to the dead-letter queue is counted there too. */
  readonly failed: number;
  /** Every job of the queue pg-boss still keeps, whatever its state. */
  readonly total: number;
}

const COUNT_COLUMNS = ['queued', 'ready', 'deferred', 'blocked', 'retry', 'active', 'completed', 'cancelled', 'failed', 'total'] as const;

/** pg-boss 12 keeps every job in `<schema>.job` (partitioned by queue name), queues in `<schema>.queue`. */
function queueCountsSql(schema: string): string {
  const table = (name: string) => `"${schema.replaceAll('"', '""')}".${name}`;
  const queued = `j.state IN ('created', 'retry')`;
  return `
    SELECT q.name, q.policy,
      count(j.id) FILTER (WHERE ${queued})::int AS queued,
      count(j.id) FILTER (WHERE ${queued} AND NOT j.blocked AND j.start_after <= now())::int AS ready,
      count(j.id) FILTER (WHERE ${queued} AND NOT j.blocked AND j.start_after > now())::int AS deferred,
      count(j.id) FILTER (WHERE ${queued} AND j.blocked)::int AS blocked,
      count(j.id) FILTER (WHERE j.state = 'retry')::int AS retry,
      count(j.id) FILTER (WHERE j.state = 'active')::int AS active,
      count(j.id) FILTER (WHERE j.state = 'completed')::int AS completed,
      count(j.id) FILTER (WHERE j.state = 'cancelled')::int AS cancelled,
      count(j.id) FILTER (WHERE j.state = 'failed')::int AS failed,
      count(j.id)::int AS total
    FROM ${table('queue')} q
    LEFT JOIN ${table('job')} j ON j.name = q.name
    GROUP BY q.name, q.policy
    ORDER BY q.name`;
}

/**
 * Counts of every queue (dead-letter queues included), keyed by queue name, counted now from the
 * job table: pg-boss's own counts (getQueues) are only refreshed by its monitor pass, up to a
 * minute old. One scan of the queue schema's jobs, completed ones included.
 */
export async function queueStats(boss: PgBoss, schema: string): Promise<Record<string, QueueCounts>> {
  const { rows } = await boss.getDb().executeSql(queueCountsSql(schema));
  const stats: Record<string, QueueCounts> = {};
  for (const row of rows as Record<string, unknown>[]) {
    const counts = Object.fromEntries(COUNT_COLUMNS.map((column) => [column, Number(row[column])])) as Record<(typeof COUNT_COLUMNS)[number], number>;
    stats[String(row.name)] = { policy: String(row.policy), ...counts };
  }
  return stats;
}

/** A failed attempt still in its queue (retrying or failed), or a dead letter, with its error. */
export interface FailedJob {
  readonly job: string;
  readonly id: string;
  /** retry: will run again; failed: out of retries; dead letter: kept in `<job>.dead` for inspection or redrive. */
  readonly state: 'retry' | 'failed' | 'dead letter';
  readonly attempts: number;
  readonly at: Date;
  readonly error: unknown;
  readonly data: unknown;
  /** For a dead letter: its own id in the dead-letter queue (for redrive). */
  readonly deadLetterId?: string;
}

/** Most jobs of a queue scanned per call: findJobs pages oldest first, so this bounds a huge queue. */
const SCAN_LIMIT = 20_000;
const PAGE_SIZE = 1000;

async function scanQueue(boss: PgBoss, name: string, keep: (job: JobWithMetadata<unknown>) => boolean): Promise<JobWithMetadata<unknown>[]> {
  const kept: JobWithMetadata<unknown>[] = [];
  let after: string | undefined;
  for (let scanned = 0; scanned < SCAN_LIMIT; scanned += PAGE_SIZE) {
    const page = await boss.findJobs<unknown>(name, { limit: PAGE_SIZE, ...(after ? { after } : {}) });
    kept.push(...page.filter(keep));
    if (page.length < PAGE_SIZE) break;
    after = page[page.length - 1]?.id;
  }
  return kept;
}

function errorOf(output: unknown): unknown {
  return output && typeof output === 'object' && 'error' in output ? output.error : output;
}

/**
 * The newest failures across the given jobs' queues and dead-letter queues, newest first. A job
 * dead-lettered at once appears once, as its dead letter.
 */
export async function recentFailures(boss: PgBoss, jobNames: readonly string[], limit = 10): Promise<FailedJob[]> {
  const failures: FailedJob[] = [];
  for (const name of jobNames) {
    const dead = await scanQueue(boss, deadLetterQueueName(name), () => true);
    const deadSources = new Set(dead.map((job) => job.sourceId));
    for (const job of dead) {
      failures.push({
        job: job.sourceName ?? name,
        id: job.sourceId ?? job.id,
        state: 'dead letter',
        attempts: (job.sourceRetryCount ?? 0) + 1,
        at: job.createdOn,
        error: errorOf(job.sourceOutput),
        data: job.data,
        deadLetterId: job.id,
      });
    }
    const failed = await scanQueue(boss, name, (job) => (job.state === 'failed' || job.state === 'retry') && !deadSources.has(job.id));
    for (const job of failed) {
      failures.push({
        job: name,
        id: job.id,
        state: job.state === 'retry' ? 'retry' : 'failed',
        attempts: job.retryCount + (job.state === 'retry' ? 0 : 1),
        at: job.completedOn ?? job.startedOn ?? job.createdOn,
        error: errorOf(job.output),
        data: job.data,
      });
    }
  }
  return failures.sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, limit);
}

/** The newest runs recorded in `sync_job_execution` of one target, newest first. */
export async function syncHistory(targets: Targets, limit = 20, target: TargetName = 'production') {
  return targets
    .get(target)
    .db.selectFrom('sync_job_execution')
    .select(['jobType', 'status', 'databaseScope', 'startedAt', 'completedAt', 'durationMs', 'recordsProcessed', 'recordsUpdated', 'recordsSkipped', 'errorMessage', 'metadata', 'id'])
    .orderBy('startedAt', 'desc')
    .limit(limit)
    .execute();
}

/** One of the owner's `oban_jobs` rows as the console shows it: what its admin page would. */
export interface ObanJobSummary {
  readonly id: string;
  readonly worker: string;
  readonly state: string;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly insertedAt: Date;
  readonly attemptedBy: readonly string[] | null;
  /** The newest error entry's text, when any. */
  readonly lastError: string | null;
}

/**
 * The newest rows of one target's `oban_jobs` (its schema: the pool's search_path), newest first,
 * to see what the inbox took and how each ended without opening the owner's admin page.
 */
export async function obanJobs(targets: Targets, limit = 20, target: TargetName = 'production'): Promise<ObanJobSummary[]> {
  const { rows } = await targets.get(target).pool.query<ObanJobSummary>(
    `SELECT id::text AS id, worker, state::text AS state, attempt, max_attempts AS "maxAttempts", inserted_at AS "insertedAt",
            attempted_by AS "attemptedBy", errors[cardinality(errors)] ->> 'error' AS "lastError"
       FROM oban_jobs ORDER BY id DESC LIMIT $1`,
    [limit],
  );
  return rows;
}

/** One target's drift check as the console shows it: the schema, the verdict, and what is not merely informational. */
export interface TargetSchemaCheckSummary {
  readonly target: TargetName;
  readonly schema: string;
  readonly status: SchemaCheckReport['status'] | 'not checked';
  readonly findings: readonly string[];
}

/** Runs the drift check on every target's schema now (the start-up check's result may be days old). */
export async function schemaCheckNow(targets: Targets): Promise<TargetSchemaCheckSummary[]> {
  return Promise.all(
    targets.all.map(async (target): Promise<TargetSchemaCheckSummary> => {
      try {
        const report = await checkSchema({ client: target.pool, ownerSchema: target.schema });
        const findings = report.findings.filter((finding) => finding.severity !== 'info').map((finding) => `${finding.severity}: ${finding.message}`);
        return { target: target.name, schema: target.schema, status: report.status, findings };
      } catch (error) {
        return { target: target.name, schema: target.schema, status: 'not checked', findings: [error instanceof Error ? error.message : String(error)] };
      }
    }),
  );
}
