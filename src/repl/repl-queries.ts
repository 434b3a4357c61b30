/**
 * What the console asks the queue and the owner's database: queue counts, recent failures with
 * their errors, and the sync history. Read-only, through pg-boss's public API and Kysely.
 */
import type { JobWithMetadata, PgBoss } from 'pg-boss';
import type { Targets, TargetName } from '../db/targets.ts';
import { deadLetterQueueName } from '../jobs/queue.ts';

/** One queue's counts, as pg-boss reports them. */
export interface QueueCounts {
  readonly policy: string | undefined;
  readonly queued: number;
  readonly ready: number;
  readonly deferred: number;
  readonly active: number;
  readonly failed: number;
  readonly total: number;
}

/**
 * Counts of every queue (dead-letter queues included), keyed by queue name, as of pg-boss's last
 * monitor pass (monitorIntervalSeconds, default 60 s): cheap, and up to a minute old.
 */
export async function queueStats(boss: PgBoss): Promise<Record<string, QueueCounts>> {
  const queues = await boss.getQueues();
  const stats: Record<string, QueueCounts> = {};
  for (const queue of [...queues].sort((a, b) => a.name.localeCompare(b.name))) {
    stats[queue.name] = {
      policy: queue.policy,
      queued: queue.queuedCount,
      ready: queue.readyCount,
      deferred: queue.deferredCount,
      active: queue.activeCount,
      failed: queue.failedCount,
      total: queue.totalCount,
    };
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
