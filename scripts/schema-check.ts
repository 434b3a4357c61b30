/**
 * npm run schema:check -- --url postgres://… [--schema public] [--format table|json|markdown]
 *                         [--queue-schema pgboss [--no-queue-migrate]]
 *
 * Compares a live database with what the worker relies on (src/db/owner-contract.ts) and prints
 * the drift report. Exit code: 0 clean or warnings only, 1 breaking drift, 2 could not check.
 * Meant for the owner's CI too: it imports only runtime dependencies, so `npm ci --omit=dev`
 * and Node 24 are enough (docs/schema-drift.md).
 */
import { parseArgs } from 'node:util';
import { checkSchema, redact, SchemaCheckError } from '../src/db/schema-check/check-schema.ts';
import { renderReport, type ReportFormat } from '../src/db/schema-check/render-report.ts';

const USAGE = `usage: npm run schema:check -- --url postgres://user:pass@host/db [options]

  --url URL             the database to check (default: $DATABASE_URL)
  --schema NAME         the owner's schema (default: public)
  --format FORMAT       table (default), json or markdown
  --queue-schema NAME   also check pg-boss's schema (e.g. pgboss)
  --no-queue-migrate    the worker runs with QUEUE_MIGRATE=false: a missing or old queue schema is breaking

exit code: 0 clean or warnings only, 1 breaking drift, 2 could not check
`;

const FORMATS: readonly ReportFormat[] = ['table', 'json', 'markdown'];

function usageError(message: string): never {
  process.stderr.write(`schema-check: ${message}\n\n${USAGE}`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    allowNegative: true,
    options: {
      url: { type: 'string' },
      schema: { type: 'string', default: 'public' },
      format: { type: 'string', default: 'table' },
      'queue-schema': { type: 'string' },
      'queue-migrate': { type: 'boolean', default: true },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (error) {
  usageError(error instanceof Error ? error.message : String(error));
}
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const format = FORMATS.find((candidate) => candidate === values.format);
if (!format) usageError(`--format must be one of ${FORMATS.join(', ')} (got "${values.format}")`);
const url = values.url ?? process.env.DATABASE_URL;
if (!url) usageError('--url is required (or set DATABASE_URL)');

try {
  const queueSchema = values['queue-schema'];
  const report = await checkSchema({
    url,
    ownerSchema: values.schema,
    queue: queueSchema ? { schema: queueSchema, migrate: values['queue-migrate'] } : undefined,
  });
  process.stdout.write(renderReport(report, format, redact(url)));
  process.exitCode = report.status === 'breaking' ? 1 : 0;
} catch (error) {
  // Anything that stops the check is exit code 2, never 1: CI must not read a crash as drift.
  const code = error instanceof SchemaCheckError ? error.code : 'UNEXPECTED';
  const message = error instanceof Error ? error.message : String(error);
  const reason = `${code}: ${message}`;
  if (!(error instanceof SchemaCheckError)) process.stderr.write(`${error instanceof Error ? error.stack : message}\n`);
  if (format === 'json') process.stdout.write(`${JSON.stringify({ status: 'error', code, message }, null, 2)}\n`);
  else if (format === 'markdown') process.stdout.write(`### ⛔ Schema check could not run\n\n${reason}\n`);
  process.stderr.write(`schema-check: could not check: ${reason}\n`);
  process.exitCode = 2;
}
