/**
 * The drift check as one call: read the live owner schema (and optionally pg-boss's), compare it
 * with the contract, and return the report. Used by the CLI, the start-up guard and the tests.
 */
import pg from 'pg';
import { ownerContract, type OwnerContractShape } from '../owner-contract.ts';
import { compareOwnerSchema } from './compare-owner-schema.ts';
import type { ExpectedSchema } from './expected-schema.ts';
import { expectedSchema } from './expected-schema.generated.ts';
import { readLiveSchema, schemaExists, type Queryable } from './live-schema.ts';
import { checkQueueSchema } from './queue-schema.ts';
import { buildReport, type SchemaCheckReport } from './report.ts';

export type SchemaCheckErrorCode = 'DATABASE_UNREACHABLE' | 'SCHEMA_NOT_FOUND' | 'CATALOG_READ_FAILED';

/** The check could not be made (exit code 2): no verdict either way. */
export class SchemaCheckError extends Error {
  override name = 'SchemaCheckError';
  readonly code: SchemaCheckErrorCode;
  constructor(code: SchemaCheckErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export interface SchemaCheckOptions {
  /** An open connection or pool; or `url`, for which the check opens and closes its own client. */
  readonly client?: Queryable;
  readonly url?: string;
  /** The owner's schema. Default: public. */
  readonly ownerSchema?: string;
  /** Also check pg-boss's schema; `migrate` says whether the worker may create/upgrade it itself. */
  readonly queue?: { readonly schema: string; readonly migrate: boolean };
  /** For tests of the check itself; default: the worker's contract and its committed snapshot. */
  readonly contract?: OwnerContractShape;
  readonly expected?: ExpectedSchema;
  /** Connection timeout when `url` is given. Default: 10000. */
  readonly connectTimeoutMs?: number;
}

/** Compares a live database with what the worker relies on; throws SchemaCheckError when it cannot. */
export async function checkSchema(options: SchemaCheckOptions): Promise<SchemaCheckReport> {
  if (options.client) return checkWith(options.client, options);
  if (!options.url) throw new SchemaCheckError('DATABASE_UNREACHABLE', 'no database given (a client or a URL)');
  const client = new pg.Client({ connectionString: options.url, connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000, application_name: 'trademachine-worker:schema-check' });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new SchemaCheckError('DATABASE_UNREACHABLE', `cannot connect to ${redact(options.url)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  try {
    return await checkWith(client, options);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function checkWith(client: Queryable, options: SchemaCheckOptions): Promise<SchemaCheckReport> {
  const ownerSchema = options.ownerSchema ?? 'public';
  try {
    if (!(await schemaExists(client, ownerSchema))) throw new SchemaCheckError('SCHEMA_NOT_FOUND', `schema "${ownerSchema}" does not exist in this database`);
    const live = await readLiveSchema(client, ownerSchema);
    const findings = compareOwnerSchema(options.contract ?? ownerContract, options.expected ?? expectedSchema, live);
    if (options.queue) findings.push(...(await checkQueueSchema(client, options.queue.schema, options.queue.migrate)));
    return buildReport(ownerSchema, options.queue?.schema ?? null, findings);
  } catch (error) {
    if (error instanceof SchemaCheckError) throw error;
    throw new SchemaCheckError('CATALOG_READ_FAILED', `cannot read the schema: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable URL)';
  }
}
