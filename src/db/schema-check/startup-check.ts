/**
 * The start-up guard: before the worker takes jobs, check every target's owner schema (and the
 * queue schema) and stop on breaking drift, or log it when SCHEMA_CHECK=warn. The result feeds
 * /ready and the schema-check metric.
 */
import { checkSchema, SchemaCheckError } from './check-schema.ts';
import type { Queryable } from './live-schema.ts';
import { renderReport } from './render-report.ts';
import type { SchemaCheckReport, SchemaCheckStatus } from './report.ts';

/** The slice of pino the guard logs through (object first, then the message). */
export interface SchemaCheckLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface StartupSchemaCheckOptions {
  /** Each owner deployment the worker serves, by target name, with its schema; the first's database holds the queue. */
  readonly targets: readonly { readonly name: string; readonly client: Queryable; readonly schema: string }[];
  /** pg-boss's schema and whether the worker may create/upgrade it (QUEUE_MIGRATE). */
  readonly queue: { readonly schema: string; readonly migrate: boolean };
  /** SCHEMA_CHECK: fail stops on breaking drift, warn only logs it, off skips the check. */
  readonly mode: 'fail' | 'warn' | 'off';
  readonly log: SchemaCheckLog;
}

export interface TargetSchemaCheck {
  readonly target: string;
  readonly report: SchemaCheckReport;
}

export interface StartupSchemaCheck {
  readonly mode: StartupSchemaCheckOptions['mode'];
  /** The worst status over the targets; `off` when skipped. */
  readonly status: SchemaCheckStatus | 'off';
  readonly results: readonly TargetSchemaCheck[];
}

/** Breaking drift at start-up with SCHEMA_CHECK=fail; the message is the rendered report. */
export class SchemaDriftError extends Error {
  override name = 'SchemaDriftError';
  readonly code = 'SCHEMA_DRIFT';
  readonly results: readonly TargetSchemaCheck[];
  constructor(results: readonly TargetSchemaCheck[]) {
    const breaking = results.filter((r) => r.report.status === 'breaking');
    super(
      `the ${breaking.map((r) => r.target).join(' and ')} database schema breaks the worker (set SCHEMA_CHECK=warn to start anyway):\n\n` +
        breaking.map((r) => renderReport(r.report, 'table', r.target)).join('\n'),
    );
    this.results = results;
  }
}

/** A target whose schema is missing: say which target and which variable moves it (staging is on by default). */
function missingSchemaError(target: string, error: SchemaCheckError): SchemaCheckError {
  const hint =
    target === 'staging'
      ? 'set STAGING_SCHEMA (and STAGING_DATABASE_URL) to where the owner keeps staging, or STAGING_ENABLED=false if this deployment has no staging'
      : 'set OWNER_SCHEMA to the schema of the owner\'s production tables';
  return new SchemaCheckError('SCHEMA_NOT_FOUND', `the ${target} target: ${error.message}; ${hint}`, { cause: error });
}

const WORST: readonly SchemaCheckStatus[] = ['breaking', 'warnings', 'clean'];

/**
 * Runs the check on every target. Throws SchemaDriftError on breaking drift when mode=fail, and
 * SchemaCheckError when a database cannot be checked at all (mode=warn logs that instead).
 */
export async function runStartupSchemaCheck(options: StartupSchemaCheckOptions): Promise<StartupSchemaCheck> {
  const { mode, log } = options;
  if (mode === 'off') {
    log.warn({ schemaCheck: 'off' }, 'schema check skipped (SCHEMA_CHECK=off)');
    return { mode, status: 'off', results: [] };
  }
  const results: TargetSchemaCheck[] = [];
  for (const [index, target] of options.targets.entries()) {
    try {
      const report = await checkSchema({ client: target.client, ownerSchema: target.schema, queue: index === 0 ? options.queue : undefined });
      results.push({ target: target.name, report });
    } catch (caught) {
      const error = caught instanceof SchemaCheckError && caught.code === 'SCHEMA_NOT_FOUND' ? missingSchemaError(target.name, caught) : caught;
      if (mode === 'fail' || !(error instanceof SchemaCheckError)) throw error;
      log.error({ target: target.name, err: error }, 'schema check could not run; starting anyway (SCHEMA_CHECK=warn)');
    }
  }
  const status = WORST.find((candidate) => results.some((r) => r.report.status === candidate)) ?? 'clean';
  for (const { target, report } of results) {
    const summary = { target, schemaCheck: report.status, findings: report.findings.filter((f) => f.severity !== 'info').map((f) => `${f.object} ${f.kind}`) };
    if (report.status === 'clean') log.info(summary, 'schema check clean');
    else if (report.status === 'warnings' || mode === 'warn') log.warn({ ...summary, report: renderReport(report, 'table', target) }, `schema check: ${report.status}`);
  }
  if (status === 'breaking' && mode === 'fail') throw new SchemaDriftError(results);
  return { mode, status, results };
}

/** The /ready entry: ready unless the check stopped start-up (then nothing would answer anyway); the detail says what it found. */
export function schemaReadiness(check: StartupSchemaCheck | undefined): { ok: boolean; detail: string } {
  if (!check) return { ok: false, detail: 'not checked yet' };
  if (check.status === 'off') return { ok: true, detail: 'off (SCHEMA_CHECK=off)' };
  const problems = check.results.flatMap((r) => r.report.findings.filter((f) => f.severity !== 'info').map((f) => `${r.target}: ${f.object} ${f.kind}`));
  const suffix = check.status === 'breaking' ? ' (SCHEMA_CHECK=warn)' : '';
  return { ok: true, detail: problems.length === 0 ? check.status : `${check.status}${suffix}: ${problems.join(', ')}` };
}
