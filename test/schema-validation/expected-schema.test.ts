/**
 * The committed snapshot of the contract's column types is what the owner-schema stand-in gives
 * today, and the contract names nothing the stand-in lacks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { createTestDatabase } from '../support/database.ts';
import { expectedSchemaPath, snapshotExpectedSchema } from '../../src/db/schema-check/snapshot.ts';
import { buildExpectedSchema, ContractMismatchError } from '../../src/db/schema-check/expected-schema.ts';
import { readLiveSchema } from '../../src/db/schema-check/live-schema.ts';

test('src/db/schema-check/expected-schema.generated.ts is current (else run "npm run schema:snapshot")', async () => {
  const database = await createTestDatabase();
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const generated = await snapshotExpectedSchema(client, 'public');
    assert.equal(await readFile(expectedSchemaPath, 'utf8'), generated, 'the snapshot is stale: run "npm run schema:snapshot", review the diff and commit it');

    const live = await readLiveSchema(client, 'public');
    const wrong = { tables: { team: { columns: { nickname: ['read'] } } }, views: { hydrated_deals: { columns: {} } }, enums: {} } as const;
    // @ts-expect-error the contract's types refuse unknown names; the runtime check must too
    assert.throws(() => buildExpectedSchema(wrong, live), (error: unknown) => {
      assert.ok(error instanceof ContractMismatchError);
      assert.equal(error.message, 'the contract does not match the owner schema: column team.nickname does not exist; view hydrated_deals does not exist');
      return true;
    });
  } finally {
    await client.end();
    await database.drop();
  }
});
