/**
 * npm run db:types: regenerate src/db/types.generated.ts with kysely-codegen from a fresh database
 * built from the owner-schema stand-in. `--check` fails when the committed file is stale; `--url`
 * uses a database you give instead of an embedded one.
 */
import { generateDbTypes, generatedTypesPath } from './lib/db-types.ts';
import { runGeneratedFileCommand } from './lib/generated-file.ts';

await runGeneratedFileCommand({ filePath: generatedTypesPath, regenerateCommand: 'npm run db:types', generate: generateDbTypes });
