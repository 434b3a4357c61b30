import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

/** The committed Kysely types; generated, never edited by hand. */
export const generatedTypesPath = path.join(root, 'src/db/types.generated.ts');

/**
 * The owner's tables the worker must ignore (other apps' bookkeeping); their types would only
 * invite queries against them.
 */
const ignoredTables = ['migrations', 'query-result-cache', 'typeorm_metadata', 'schema_migrations', 'oban_peers'];

/** Runs kysely-codegen against a live database holding the owner's schema and returns the file text. */
export async function generateDbTypes(databaseUrl: string): Promise<string> {
  const bin = path.join(root, 'node_modules/.bin/kysely-codegen');
  const { stdout } = await run(
    bin,
    [
      '--dialect=postgres',
      `--url=${databaseUrl}`,
      '--default-schema=public',
      '--include-pattern=public.*',
      `--exclude-pattern=public.{${ignoredTables.join(',')}}`,
      '--singularize',
      '--print',
      '--log-level=error',
    ],
    { cwd: root, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, DATABASE_URL: '' } },
  );
  return stdout;
}
