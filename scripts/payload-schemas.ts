/**
 * npm run payload:schemas: write schemas/job-payloads.schema.json, the JSON Schema of every job's
 * payload (from the zod schemas), for callers that are not TypeScript. `--check` fails when the
 * committed file is stale.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { renderPayloadJsonSchemas } from '../src/client/payload-json-schemas.ts';

export const payloadSchemasPath = path.resolve(import.meta.dirname, '../schemas/job-payloads.schema.json');

const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
const rendered = renderPayloadJsonSchemas();
if (values.check) {
  const committed = await readFile(payloadSchemasPath, 'utf8').catch(() => '');
  if (committed !== rendered) {
    process.stderr.write('schemas/job-payloads.schema.json is stale: run "npm run payload:schemas" and commit it.\n');
    process.exit(1);
  }
  process.stdout.write('schemas/job-payloads.schema.json is current.\n');
} else {
  await writeFile(payloadSchemasPath, rendered);
  process.stdout.write('wrote schemas/job-payloads.schema.json\n');
}
