import { z } from 'zod';
import { jobs } from '../jobs/index.ts';

/**
 * The JSON Schema of each job's payload, from the same zod schema the worker validates with, for
 * callers that are not TypeScript. `io: 'input'` describes what a caller may send (defaults optional).
 */
export function payloadJsonSchemas(): Record<string, unknown> {
  return Object.fromEntries(
    jobs.map((job) => [job.name, { title: job.name, description: job.description, ...z.toJSONSchema(job.payload, { io: 'input' }) }]),
  );
}

/** The committed file's text: stable key order, one trailing newline. */
export function renderPayloadJsonSchemas(): string {
  return `${JSON.stringify(payloadJsonSchemas(), null, 2)}\n`;
}
