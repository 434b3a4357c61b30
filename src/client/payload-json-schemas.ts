import { z } from 'zod';
import { jobs } from '../jobs/index.ts';
import { envelopeSchema } from '../jobs/job-envelope.ts';

type JsonSchema = Record<string, unknown>;

/** The envelope's properties (`traceContext`, `obanJob`), as JSON Schema. */
function envelopeProperties(): Record<string, unknown> {
  const { properties } = z.toJSONSchema(envelopeSchema, { io: 'input' }) as { properties?: Record<string, unknown> };
  return properties ?? {};
}

/**
 * Adds the envelope's properties to every object the payload may be: the schema itself, or each
 * branch of a union (`email.send`'s types), so `additionalProperties: false` still admits them.
 */
function withEnvelopeProperties(schema: JsonSchema, envelope: Record<string, unknown>): JsonSchema {
  const branches = (['oneOf', 'anyOf'] as const).filter((key) => Array.isArray(schema[key]));
  if (branches.length > 0) {
    const out: JsonSchema = { ...schema };
    for (const key of branches) out[key] = (schema[key] as JsonSchema[]).map((branch) => withEnvelopeProperties(branch, envelope));
    return out;
  }
  if (schema.type !== 'object') return schema;
  return { ...schema, properties: { ...(schema.properties as Record<string, unknown> | undefined), ...envelope } };
}

/**
 * The JSON Schema of each job's payload, from the same zod schema the worker validates with, for
 * callers that are not TypeScript. `io: 'input'` describes what a caller may send (defaults
 * optional); every job also takes the envelope (job-envelope.ts).
 */
export function payloadJsonSchemas(): Record<string, unknown> {
  const envelope = envelopeProperties();
  return Object.fromEntries(
    jobs.map((job) => [
      job.name,
      withEnvelopeProperties({ title: job.name, description: job.description, ...z.toJSONSchema(job.payload, { io: 'input' }) }, envelope),
    ]),
  );
}

/** The committed file's text: stable key order, one trailing newline. */
export function renderPayloadJsonSchemas(): string {
  return `${JSON.stringify(payloadJsonSchemas(), null, 2)}\n`;
}
