import type { z } from 'zod';
import type { JobDefinition } from './define-job.ts';
import { PayloadError } from './outcomes.ts';

/**
 * Validates a payload against its job's schema; the error names the job and every bad field
 * (`email.send.recipientUserId: Invalid UUID`), so the owner can fix the caller.
 */
export function parsePayload<Schema extends z.ZodType>(definition: JobDefinition<Schema, unknown>, raw: unknown): z.output<Schema> {
  const parsed = definition.payload.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const where = [definition.name, ...issue.path.map(String)].join('.');
    return `${where}: ${issue.message}`;
  });
  throw new PayloadError(problems.join('; '), { cause: parsed.error });
}
