/**
 * npm run schema:snapshot: regenerate src/db/schema-check/expected-schema.generated.ts, the types
 * of the contract's columns and the labels of its enums, from a fresh database built from the
 * owner-schema stand-in. `--check` fails when the committed file is stale; `--url` uses a database
 * you give instead of an embedded one.
 */
import { expectedSchemaPath, snapshotExpectedSchema } from '../src/db/schema-check/snapshot.ts';
import { runGeneratedFileCommand } from './lib/generated-file.ts';
import { withPgClient } from './lib/pg-client.ts';

async function snapshotFrom(url: string): Promise<string> {
  return withPgClient(url, (client) => snapshotExpectedSchema(client, 'public'));
}

await runGeneratedFileCommand({ filePath: expectedSchemaPath, regenerateCommand: 'npm run schema:snapshot', generate: snapshotFrom });
