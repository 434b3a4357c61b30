import { PgBoss, type ConstructorOptions, type JobResult, type JobWithMetadata, type Queue } from 'pg-boss';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { JobDefinition, QueueSettings } from './define-job.ts';
import { executeJob, failureOutput, type RunnerDeps } from './runner.ts';
import { parsePayload } from './payload.ts';

/** Queue defaults, used where a definition leaves a setting out. */
export const queueDefaults = {
  policy: 'standard',
  /** Retries after the first attempt. */
  retryLimit: 3,
  /** First retry delay (seconds); doubled each retry with jitter (pg-boss retryBackoff). */
  retryDelaySeconds: 10,
  /** Cap on the retry delay (seconds). */
  retryDelayMaxSeconds: 600,
  /** One attempt's time limit (seconds) before pg-boss expires it and retries. */
  expireInSeconds: 900,
  /** Jobs of one queue this process runs at once. */
  localConcurrency: 1,
  /** Idle poll (seconds) of a queue without LISTEN/NOTIFY. */
  pollingIntervalSeconds: 2,
  /**
   * Backstop poll (seconds) while LISTEN/NOTIFY is up. NOTIFY fires only for new jobs, not for a
   * retry whose delay has passed, so this bounds how late a retry starts (pg-boss's default is 30).
   */
  notifyPollingIntervalSeconds: 5,
  /** How long a dead letter is kept (seconds): 30 days, time enough to look and redrive. */
  deadLetterRetentionSeconds: 30 * 24 * 3600,
} as const satisfies Required<QueueSettings> & Record<string, unknown>;

/** Where a job goes when it fails for good: `<queue>.dead`, kept with its error for inspection or redrive. */
export function deadLetterQueueName(jobName: string): string {
  return `${jobName}.dead`;
}

export interface QueueOptions {
  readonly connectionString: string;
  readonly schema: string;
  readonly cronEnabled: boolean;
  /** false: never create or migrate the queue schema (it must already be installed). Default: true. */
  readonly migrate?: boolean;
  /** pg-boss timing knobs, for operators and for tests that cannot wait a minute. */
  readonly tuning?: Pick<ConstructorOptions, 'superviseIntervalSeconds' | 'monitorIntervalSeconds' | 'maintenanceIntervalSeconds'>;
}

/** A pg-boss instance in its own schema, with LISTEN/NOTIFY wake-ups so new jobs start at once. */
export function createBoss(options: QueueOptions, log: Logger): PgBoss {
  const boss = new PgBoss({
    connectionString: options.connectionString,
    schema: options.schema,
    application_name: 'trademachine-worker:queue',
    useListenNotify: true,
    schedule: options.cronEnabled,
    migrate: options.migrate ?? true,
    createSchema: options.migrate ?? true,
    instanceName: 'trademachine-worker',
    ...options.tuning,
  });
  boss.on('error', (error) => log.error({ err: error }, 'queue error'));
  boss.on('warning', (warning) => log.warn({ warning }, 'queue warning'));
  return boss;
}

function queueSpec(definition: JobDefinition<z.ZodType, unknown>): Omit<Queue, 'name'> {
  const settings = { ...queueDefaults, ...definition.queue };
  return {
    policy: settings.policy,
    retryLimit: settings.retryLimit,
    retryDelay: settings.retryDelaySeconds,
    retryBackoff: true,
    retryDelayMax: settings.retryDelayMaxSeconds,
    expireInSeconds: settings.expireInSeconds,
    deadLetter: deadLetterQueueName(definition.name),
    notify: true,
  };
}

/**
 * Creates each job's queue and its dead-letter queue from the definitions, and brings an existing
 * queue's retry/expiry settings up to date, so the definitions stay the single source.
 */
export async function ensureQueues(boss: PgBoss, definitions: readonly JobDefinition<z.ZodType, unknown>[], log: Logger): Promise<void> {
  for (const definition of definitions) {
    const deadLetter = deadLetterQueueName(definition.name);
    await boss.createQueue(deadLetter, {
      policy: 'standard',
      retentionSeconds: queueDefaults.deadLetterRetentionSeconds,
      deleteAfterSeconds: queueDefaults.deadLetterRetentionSeconds,
    });
    const spec = queueSpec(definition);
    const existing = await boss.getQueue(definition.name);
    if (!existing) {
      await boss.createQueue(definition.name, spec);
      continue;
    }
    if (existing.policy !== spec.policy) {
      log.warn(
        { queue: definition.name, existing: existing.policy, wanted: spec.policy },
        'queue policy differs from its definition; pg-boss cannot change a policy in place: delete and recreate the queue when it is empty',
      );
    }
    const { policy: _policy, retryDelayMax: _max, notify: _notify, ...updatable } = spec;
    await boss.updateQueue(definition.name, { ...updatable, deadLetter });
  }
}

/** Registers (or, with cron off, leaves alone) each definition's schedule. */
export async function ensureSchedules(boss: PgBoss, definitions: readonly JobDefinition<z.ZodType, unknown>[], cronEnabled: boolean, log: Logger): Promise<void> {
  if (!cronEnabled) return;
  for (const definition of definitions) {
    if (!definition.cron) continue;
    // Validate now: a bad cron payload should stop start-up, not fail every scheduled run.
    const payload = parsePayload(definition, definition.cron.payload);
    await boss.schedule(definition.name, definition.cron.expression, payload as object, { tz: definition.cron.tz ?? 'UTC' });
    log.info({ job: definition.name, cron: definition.cron.expression, tz: definition.cron.tz ?? 'UTC' }, 'schedule registered');
  }
}

/** What the last attempt stored, when it was a failure that saved a checkpoint. */
function previousCheckpoint(job: JobWithMetadata<unknown>): Record<string, unknown> | undefined {
  const output = job.output as { checkpoint?: unknown } | null | undefined;
  const checkpoint = output?.checkpoint;
  return checkpoint && typeof checkpoint === 'object' ? (checkpoint as Record<string, unknown>) : undefined;
}

/**
 * Starts a worker per definition. Each job is settled by its own outcome: completed; failed and
 * retried by the queue's policy; dead-lettered at once when permanent; or snoozed (completed and
 * re-sent for later, which spends no attempt).
 */
export async function startWorkers(boss: PgBoss, definitions: readonly JobDefinition<z.ZodType, unknown>[], deps: RunnerDeps): Promise<void> {
  for (const definition of definitions) {
    const concurrency = definition.queue.localConcurrency ?? queueDefaults.localConcurrency;
    await boss.work(
      definition.name,
      {
        batchSize: 1,
        localConcurrency: concurrency,
        includeMetadata: true,
        perJobResults: true,
        pollingIntervalSeconds: queueDefaults.pollingIntervalSeconds,
        notifyPollingIntervalSeconds: queueDefaults.notifyPollingIntervalSeconds,
      },
      async (jobs): Promise<JobResult[]> => {
        const results: JobResult[] = [];
        for (const job of jobs) {
          const outcome = await executeJob(definition, job.data, deps, {
            id: job.id,
            attempt: job.retryCount + 1,
            signal: job.signal,
            previousCheckpoint: previousCheckpoint(job),
            retriesLeft: job.retryLimit - job.retryCount,
            // Both database times: due (startAfter: creation, or the retry's backoff) to claimed.
            waitMs: job.startedOn.getTime() - job.startAfter.getTime(),
          });
          if (outcome.kind === 'completed') {
            results.push({ id: job.id, status: 'completed', output: toOutput(outcome.result) });
          } else if (outcome.kind === 'snoozed') {
            await boss.send(definition.name, job.data as object, { startAfter: outcome.seconds });
            results.push({ id: job.id, status: 'completed', output: { snoozedForSeconds: outcome.seconds, reason: outcome.reason } });
          } else {
            results.push({ id: job.id, status: outcome.retryable ? 'failed' : 'deadletter', output: failureOutput(outcome) });
          }
        }
        return results;
      },
    );
  }
}

/** pg-boss stores output as a JSON object; wrap anything else. */
function toOutput(result: unknown): object {
  return result !== null && typeof result === 'object' ? result : { value: result ?? null };
}
