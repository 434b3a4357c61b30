import type { z } from 'zod';
import type { JobDefinition } from './define-job.ts';
import { PayloadError } from './outcomes.ts';
import { checkEnvelope, splitEnvelope, withEnvelope, type EnvelopeProblem, type JobEnvelope } from './job-envelope.ts';

/** Payload limits, at enqueue and at run. */
export const payloadDefaults = {
  /** Largest payload, as JSON bytes: 256 KB. Jobs carry ids and short texts, never documents. */
  maxBytes: 256 * 1024,
} as const;

export interface PayloadCheckOptions {
  /** Largest payload as JSON bytes. Default: payloadDefaults.maxBytes (config MAX_PAYLOAD_BYTES at run). */
  readonly maxBytes?: number;
}

function describeKind(raw: unknown): string {
  if (raw === null) return 'null';
  if (Array.isArray(raw)) return 'an array';
  return `a ${typeof raw}`;
}

/**
 * Validates a payload against its job's schema; the error names the job and every bad field
 * (`email.send.recipientUserId: Invalid UUID`), so the owner can fix the caller. A missing payload
 * counts as `{}` (a sync needs none); anything but a JSON object, or one over the size limit, is
 * refused before the schema sees it. The envelope keys (`traceContext`, `obanJob`, see
 * job-envelope.ts) are split off, checked on their own and put back on the result, so what is
 * queued keeps them while the job's schema never sees them.
 */
export function parsePayload<Schema extends z.ZodType>(
  definition: JobDefinition<Schema, unknown>,
  raw: unknown,
  options: PayloadCheckOptions = {},
): z.output<Schema> & JobEnvelope {
  const maxBytes = options.maxBytes ?? payloadDefaults.maxBytes;
  if (raw === undefined || raw === null) {
    const empty = definition.payload.safeParse({});
    if (empty.success) return empty.data as z.output<Schema> & JobEnvelope;
    throw new PayloadError(`${definition.name}: the payload is ${raw === null ? 'null' : 'missing'}; expected a JSON object with its fields`, { cause: empty.error });
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new PayloadError(`${definition.name}: the payload must be a JSON object (got ${describeKind(raw)})`);
  }
  const bytes = Buffer.byteLength(JSON.stringify(raw));
  if (bytes > maxBytes) {
    throw new PayloadError(`${definition.name}: the payload is ${bytes} bytes of JSON, over the limit of ${maxBytes}; pass ids, not documents`);
  }
  const { fields, envelope: rawEnvelope } = splitEnvelope(raw as Record<string, unknown>);
  const { envelope, problems: envelopeProblems } = checkEnvelope(rawEnvelope);
  const parsed = definition.payload.safeParse(fields);
  if (parsed.success && envelopeProblems.length === 0) return withEnvelope(parsed.data, envelope);
  const problems: EnvelopeProblem[] = [
    ...envelopeProblems,
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }))),
  ];
  throw new PayloadError(describeProblems(definition, problems), parsed.success ? undefined : { cause: parsed.error });
}

function describeProblems(definition: JobDefinition<z.ZodType, unknown>, problems: readonly EnvelopeProblem[]): string {
  return problems.map((problem) => `${[definition.name, problem.path].filter((part) => part !== '').join('.')}: ${problem.message}`).join('; ');
}
