import type { z } from 'zod';
import type { JobDefinition } from './define-job.ts';
import { PayloadError } from './outcomes.ts';

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
 * refused before the schema sees it.
 */
export function parsePayload<Schema extends z.ZodType>(
  definition: JobDefinition<Schema, unknown>,
  raw: unknown,
  options: PayloadCheckOptions = {},
): z.output<Schema> {
  const maxBytes = options.maxBytes ?? payloadDefaults.maxBytes;
  if (raw === undefined || raw === null) {
    const empty = definition.payload.safeParse({});
    if (empty.success) return empty.data;
    throw new PayloadError(`${definition.name}: the payload is ${raw === null ? 'null' : 'missing'}; expected a JSON object with its fields`, { cause: empty.error });
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new PayloadError(`${definition.name}: the payload must be a JSON object (got ${describeKind(raw)})`);
  }
  const bytes = Buffer.byteLength(JSON.stringify(raw));
  if (bytes > maxBytes) {
    throw new PayloadError(`${definition.name}: the payload is ${bytes} bytes of JSON, over the limit of ${maxBytes}; pass ids, not documents`);
  }
  const parsed = definition.payload.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new PayloadError(describeProblems(definition, parsed.error), { cause: parsed.error });
}

function describeProblems(definition: JobDefinition<z.ZodType, unknown>, error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = [definition.name, ...issue.path.map(String)].join('.');
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}
