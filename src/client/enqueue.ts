import type { PgBoss, SendOptions } from 'pg-boss';
import type { z } from 'zod';
import { findJob, type jobs } from '../jobs/index.ts';
import { activeTraceContext, type JobEnvelope } from '../jobs/job-envelope.ts';
import { parsePayload } from '../jobs/payload.ts';

type Jobs = (typeof jobs)[number];

/**
 * The payload the owner passes for a job name, as its schema accepts it, plus the envelope every
 * job takes: `traceContext` (W3C, the caller's span) and `obanJob` (set by the inbox).
 */
export type JobPayload<Name extends Jobs['name']> = z.input<Extract<Jobs, { name: Name }>['payload']> & JobEnvelope;

/** Options an enqueuer may set; queue policy and retries come from the job's definition. */
export type EnqueueOptions = Pick<SendOptions, 'startAfter' | 'singletonKey' | 'priority'> & {
  /** Largest payload as JSON bytes; keep it equal to the worker's MAX_PAYLOAD_BYTES. Default: 262144. */
  readonly maxPayloadBytes?: number;
};

/**
 * Validates the payload with the job's own schema and sends it: a bad payload is refused here,
 * before it reaches the queue. Without a `traceContext`, the active OpenTelemetry span's (W3C) is
 * put in, so the job's span continues the caller's trace. Returns the job id, or null when the
 * queue policy dropped it as a duplicate (e.g. a sync already queued).
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
  const traceContext = data.traceContext ?? activeTraceContext();
  return boss.send(name, (traceContext ? { ...data, traceContext } : data) as object, sendOptions);
}
