/**
 * The committed Kysely types must be what kysely-codegen makes from the owner-schema stand-in today;
 * a stale file fails CI with the command that fixes it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createTestDatabase } from '../support/database.ts';
import { generateDbTypes, generatedTypesPath } from '../../scripts/lib/db-types.ts';

test('src/db/types.generated.ts is current (else run "npm run db:types")', async () => {
  const database = await createTestDatabase();
  try {
    const generated = await generateDbTypes(database.url);
    const committed = await readFile(generatedTypesPath, 'utf8');
    assert.ok(generated.includes('export interface DB {'), 'codegen produced a DB interface');
    assert.equal(committed, generated, 'src/db/types.generated.ts is stale: run "npm run db:types" and commit it');
  } finally {
    await database.drop();
  }
});
