import type { PgBoss, SendOptions } from 'pg-boss';
import type { z } from 'zod';
import { findJob, type jobs } from '../jobs/index.ts';
import { parsePayload } from '../jobs/payload.ts';

type Jobs = (typeof jobs)[number];

/** The payload the owner passes for a job name, as its schema accepts it. */
export type JobPayload<Name extends Jobs['name']> = z.input<Extract<Jobs, { name: Name }>['payload']>;

/** Options an enqueuer may set; queue policy and retries come from the job's definition. */
export type EnqueueOptions = Pick<SendOptions, 'startAfter' | 'singletonKey' | 'priority'> & {
  /** Largest payload as JSON bytes; keep it equal to the worker's MAX_PAYLOAD_BYTES. Default: 262144. */
  readonly maxPayloadBytes?: number;
};

/**
 * Validates the payload with the job's own schema and sends it: a bad payload is refused here,
 * before it reaches the queue. Returns the job id, or null when the queue policy dropped it as a
 * duplicate (e.g. a sync already queued).
 */
export async function enqueue<Name extends Jobs['name']>(
  boss: PgBoss,
  name: Name,
  payload: JobPayload<Name>,
  options: EnqueueOptions = {},
): Promise<string | null> {
  const definition = findJob(name);
  const { maxPayloadBytes, ...sendOptions } = options;
  const data = parsePayload(definition, payload, { maxBytes: maxPayloadBytes });
  return boss.send(name, data as object, sendOptions);
}
