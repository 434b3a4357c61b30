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
import { expectedSchema } from '../../src/db/schema-check/expected-schema.generated.ts';
import { parseType, sameType } from '../../src/db/schema-check/type-compatibility.ts';

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

test('the snapshot spells types the way the checker compares them', () => {
  // format_type writes the precision inside the name (`timestamp(6) without time zone`); a base
  // that still holds a modifier would make every such column "a change no rule covers" (issue 7).
  const isEnum = (type: string) => type in expectedSchema.enums;
  const types = (['tables', 'views'] as const).flatMap((kind) =>
    Object.entries(expectedSchema[kind]).flatMap(([relation, columns]) => Object.entries(columns).map(([column, spec]) => ({ at: `${relation}.${column}`, type: spec.type }))),
  );
  assert.ok(types.some(({ type }) => type === 'timestamp(6) without time zone'), 'the owner\'s timestamps are recorded as production reports them');
  for (const { at, type } of types) {
    const parsed = parseType(type, isEnum);
    assert.doesNotMatch(parsed.base, /[()]/, `${at}: ${type} parses to base "${parsed.base}"`);
    assert.ok(sameType(type, type, isEnum), `${at}: ${type} is the same type as itself`);
  }
  // and the bare spelling of each timestamp is the same type to the checker
  for (const { at, type } of types.filter(({ type }) => type.startsWith('timestamp(6)'))) {
    assert.ok(sameType(type, type.replace('(6)', ''), isEnum), `${at}: ${type} = bare timestamp`);
  }
});
