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
} as const satisfies Omit<Required<QueueSettings>, 'batchSize'> & Record<string, unknown>;

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
  /**
   * Seconds between pg-boss's supervise/monitor passes, which fail jobs whose heartbeat lapsed (a
   * worker that died) or that expired. Default: pg-boss's 60.
   */
  readonly monitorIntervalSeconds?: number;
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
    // Off (pg-boss's default, said out loud): a job's trace context travels in its payload
    // envelope (job-envelope.ts), which the runner reads for every job whatever the batch size;
    // pg-boss's copy would name its own send span as a second, competing parent, and only for
    // batches of one. Its spans and metrics stay on; the job span links to its process span.
    openTelemetry: { propagateContext: false },
    ...(options.monitorIntervalSeconds === undefined
      ? {}
      : { superviseIntervalSeconds: options.monitorIntervalSeconds, monitorIntervalSeconds: options.monitorIntervalSeconds }),
    ...options.tuning,
  });
  boss.on('error', (error) => log.error({ err: error }, 'queue error'));
  boss.on('warning', (warning) => log.warn({ warning }, 'queue warning'));
  return boss;
}

function queueSpec(definition: JobDefinition<z.ZodType, unknown>, heartbeatSeconds: number | undefined): Omit<Queue, 'name'> {
  const settings = { ...queueDefaults, ...definition.queue };
  return {
    // A worker that dies (kill -9, lost host) stops beating; its jobs are retried once the beat
    // lapses instead of after the whole expiry.
    ...(heartbeatSeconds === undefined ? {} : { heartbeatSeconds }),
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
export async function ensureQueues(
  boss: PgBoss,
  definitions: readonly JobDefinition<z.ZodType, unknown>[],
  log: Logger,
  options: { readonly heartbeatSeconds?: number | undefined } = {},
): Promise<void> {
  for (const definition of definitions) {
    const deadLetter = deadLetterQueueName(definition.name);
    await boss.createQueue(deadLetter, {
      policy: 'standard',
      retentionSeconds: queueDefaults.deadLetterRetentionSeconds,
      deleteAfterSeconds: queueDefaults.deadLetterRetentionSeconds,
    });
    const spec = queueSpec(definition, options.heartbeatSeconds);
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
    const { policy: _policy, retryDelayMax: _max, notify: _notify, heartbeatSeconds, ...updatable } = spec;
    await boss.updateQueue(definition.name, { ...updatable, deadLetter, heartbeatSeconds: heartbeatSeconds ?? null });
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

/** How a definition's jobs are taken from pg-boss: fetch loops × batch, and how many run at once. */
export interface FetchPlan {
  /** pg-boss workers (each a fetch loop) for the queue. */
  readonly fetchLoops: number;
  /** Jobs each loop claims per fetch. */
  readonly batchSize: number;
  /** Jobs of one batch running at once. */
  readonly runAtOnce: number;
}

/**
 * At most `localConcurrency` jobs run at once. They are claimed `batchSize` at a time (default:
 * localConcurrency, at least 2) by as many fetch loops as it takes to keep that many in hand; a
 * loop whose batch came back full fetches again at once (burstWhenBatchFull), so a backlog drains
 * without waiting for a poll, and an idle loop is woken by NOTIFY.
 */
export function fetchPlanFor(definition: JobDefinition<z.ZodType, unknown>): FetchPlan {
  const concurrency = definition.queue.localConcurrency ?? queueDefaults.localConcurrency;
  const batchSize = definition.queue.batchSize ?? Math.max(2, concurrency);
  const fetchLoops = Math.max(1, Math.ceil(concurrency / batchSize));
  return { fetchLoops, batchSize, runAtOnce: Math.min(batchSize, concurrency) };
}

/** The pg-boss work options the runner uses for a definition (also what the benchmark compares with). */
export function workOptionsFor(definition: JobDefinition<z.ZodType, unknown>) {
  const plan = fetchPlanFor(definition);
  return {
    batchSize: plan.batchSize,
    localConcurrency: plan.fetchLoops,
    burstWhenBatchFull: true,
    includeMetadata: true,
    perJobResults: true,
    pollingIntervalSeconds: queueDefaults.pollingIntervalSeconds,
    notifyPollingIntervalSeconds: queueDefaults.notifyPollingIntervalSeconds,
  } as const;
}

/** The running workers: how many jobs are in hand, and a way to stop them all. */
export interface RunningJobs {
  /** Jobs being run right now by this process. */
  count(): number;
  /** Aborts every running job's signal: their queries are cancelled, their requests aborted. */
  abortAll(reason: string): void;
}

/** Runs `work` over `items`, at most `limit` at a time, keeping the results in order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  if (limit >= items.length) return Promise.all(items.map(work));
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: limit }, lane));
  return results;
}

/**
 * How long before pg-boss's own expiry a job's signal fires: the job stops and fails itself, so
 * nothing it does can land after pg-boss has failed it for a retry.
 */
export function expiryAbortMs(expireInSeconds: number): number {
  const expireMs = expireInSeconds * 1000;
  return Math.max(expireMs / 2, expireMs - 5_000);
}

/**
 * Starts the fetch loops of every definition. Each job is settled by its own outcome: completed;
 * failed and retried by the queue's policy; dead-lettered at once when permanent; or snoozed
 * (completed and re-sent for later, which spends no attempt). Returns the running jobs, which a
 * shutdown aborts before pg-boss's deadline.
 */
export async function startWorkers(boss: PgBoss, definitions: readonly JobDefinition<z.ZodType, unknown>[], deps: RunnerDeps): Promise<RunningJobs> {
  const shutdown = new AbortController();
  let running = 0;
  for (const definition of definitions) {
    const plan = fetchPlanFor(definition);
    const expireInSeconds = definition.queue.expireInSeconds ?? queueDefaults.expireInSeconds;
    const runOne = async (job: JobWithMetadata<unknown>, stop: AbortSignal): Promise<JobResult> => {
      running += 1;
      const signal = AbortSignal.any([job.signal, stop]);
      try {
        const outcome = await executeJob(definition, job.data, deps, {
          id: job.id,
          attempt: job.retryCount + 1,
          signal,
          previousCheckpoint: previousCheckpoint(job),
          retriesLeft: job.retryLimit - job.retryCount,
          // Both database times: due (startAfter: creation, or the retry's backoff) to claimed.
          waitMs: job.startedOn.getTime() - job.startAfter.getTime(),
        });
        if (outcome.kind === 'completed') return { id: job.id, status: 'completed', output: toOutput(outcome.result) };
        if (outcome.kind === 'snoozed') {
          const next = await boss.send(definition.name, job.data as object, { startAfter: outcome.seconds });
          // `snoozedAs` names the job that carries on, so a reader of this one (the inbox's outcome
          // writer) follows the chain instead of taking "completed" for the end.
          return { id: job.id, status: 'completed', output: { snoozedForSeconds: outcome.seconds, reason: outcome.reason, snoozedAs: next } };
        }
        return { id: job.id, status: outcome.retryable ? 'failed' : 'deadletter', output: failureOutput(outcome) };
      } finally {
        running -= 1;
      }
    };
    const runBatch = async (jobs: JobWithMetadata<unknown>[]): Promise<JobResult[]> => {
      // One stop signal for the batch (its jobs were claimed together): the shutdown, or the
      // approach of pg-boss's expiry, whichever comes first. One timer per batch, not per job.
      const stop = new AbortController();
      const onShutdown = () => stop.abort(shutdown.signal.reason);
      shutdown.signal.addEventListener('abort', onShutdown, { once: true });
      const expiry = setTimeout(() => stop.abort(new Error(`the job neared its expiry of ${expireInSeconds} s`)), expiryAbortMs(expireInSeconds));
      try {
        if (shutdown.signal.aborted) stop.abort(shutdown.signal.reason);
        return await mapLimited(jobs, plan.runAtOnce, (job) => runOne(job, stop.signal));
      } finally {
        clearTimeout(expiry);
        shutdown.signal.removeEventListener('abort', onShutdown);
      }
    };
    await boss.work(definition.name, workOptionsFor(definition), runBatch);
  }
  return {
    count: () => running,
    abortAll: (reason) => shutdown.abort(new Error(reason)),
  };
}
/** pg-boss stores output as a JSON object; wrap anything else. */
function toOutput(result: unknown): object {
  return result !== null && typeof result === 'object' ? result : { value: result ?? null };
}
