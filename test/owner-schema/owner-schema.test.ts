/**
 * The owner stand-in must match the owner's documented production schema exactly: the worker is
 * developed and tested against the stand-in but runs against the real thing, so any drift (a
 * column's type, a default, an enum label's position, a view column turning json→jsonb) would
 * let code pass here and break in production.
 *
 * expected-schema.json is transcribed from /work/shared/owner-schema.md independently of the SQL;
 * this test replays the migrations into an empty database and compares the catalogs with it,
 * one sub-test per enum/table/view so a failure names the object. Types are compared as format_type
 * spells them, precision included (`timestamp(6) without time zone`); uniqueness is read from
 * pg_index, since the owner declares it with unique indexes and pg_constraint holds none. The same
 * history built into schema `staging` (the owner's staging deployment) must give the same shape.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import {
  applyOwnerSchema,
  listOwnerMigrations,
  ownerMigrationsDir,
} from '../fixtures/owner-schema/apply-owner-schema.ts';
import {
  canonicalTable,
  readLiveSchema,
  type SchemaSnapshot,
  type TableSchema,
} from '../fixtures/owner-schema/read-live-schema.ts';

interface ExpectedSchema extends SchemaSnapshot {
  /** Owner tables the worker must ignore (some are also fully described under `tables`). */
  ignoredTables: string[];
}

const expected = JSON.parse(
  await readFile(path.join(ownerMigrationsDir, '..', 'expected-schema.json'), 'utf8'),
) as ExpectedSchema;

let database: TestDatabase;
let client: pg.Client;
let live: SchemaSnapshot;

before(async () => {
  database = await createTestDatabase({ empty: true });
  // A dedicated connection, closed before drop(): BEGIN/COMMIT need one session, and a pool
  // connection left idle would be killed by DROP DATABASE ... WITH (FORCE).
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  // One pass over an empty database: the files use no IF NOT EXISTS, so this also proves the
  // history is self-contained and correctly ordered.
  await applyOwnerSchema(client);
  live = await readLiveSchema(client);
});

after(async () => {
  await client?.end();
  await database?.drop();
});

test('enums: names and labels in declared order', async (t) => {
  assert.deepEqual(Object.keys(live.enums).sort(), Object.keys(expected.enums).sort(), 'set of enum types');
  for (const [name, labels] of Object.entries(expected.enums)) {
    await t.test(name, () => assert.deepEqual(live.enums[name], labels, `enum ${name}`));
  }
});

test('tables: columns (order, type, nullability, default), keys, unique sets, foreign keys', async (t) => {
  // Every live table is either documented or one of the owner's tables the worker ignores.
  const undocumented = Object.keys(live.tables).filter((name) => !(name in expected.tables));
  assert.deepEqual(
    undocumented.sort(),
    expected.ignoredTables.filter((name) => !(name in expected.tables)).sort(),
    'tables not described column by column must be exactly the ignored ones',
  );
  for (const [name, table] of Object.entries(expected.tables)) {
    await t.test(name, () => {
      const actual: TableSchema | undefined = live.tables[name];
      assert.ok(actual, `table ${name} is missing`);
      const want = canonicalTable(table);
      // Column by column first, so a mismatch reports the column rather than the whole table.
      assert.deepEqual(actual.columns.map((c) => c.name), want.columns.map((c) => c.name), `${name}: column names/order`);
      for (const [index, column] of want.columns.entries()) {
        assert.deepEqual(actual.columns[index], column, `${name}.${column.name}`);
      }
      assert.deepEqual(actual, want, `table ${name}`);
    });
  }
});

test('views: columns and types', async (t) => {
  assert.deepEqual(Object.keys(live.views).sort(), Object.keys(expected.views).sort(), 'set of views');
  for (const [name, view] of Object.entries(expected.views)) {
    await t.test(name, () => assert.deepEqual(live.views[name], view, `view ${name}`));
  }
});

test('ignored owner tables exist with their framework-defined columns', () => {
  // These belong to TypeORM, Ecto and Oban; the worker must leave them alone but they exist in
  // production, so they exist here too (e.g. to catch a worker migration colliding with them).
  const ignoredColumns: Record<string, string[]> = {
    migrations: ['id', 'timestamp', 'name'],
    'query-result-cache': ['id', 'identifier', 'time', 'duration', 'query', 'result'],
    typeorm_metadata: ['type', 'database', 'schema', 'table', 'name', 'value'],
    schema_migrations: ['version', 'inserted_at'],
    oban_peers: ['name', 'node', 'started_at', 'expires_at'],
  };
  for (const name of expected.ignoredTables) {
    assert.ok(live.tables[name], `ignored table ${name} exists`);
  }
  for (const [name, columns] of Object.entries(ignoredColumns)) {
    assert.deepEqual(live.tables[name]?.columns.map((c) => c.name), columns, `ignored table ${name}`);
  }
  assert.deepEqual(live.tables.schema_migrations?.primaryKey, ['version']);
  assert.deepEqual(live.tables.oban_peers?.primaryKey, ['name']);
});

test('uniqueness comes from unique indexes with hash names, not constraints; no CHECK constraints', async () => {
  // The owner declares uniqueness with CREATE UNIQUE INDEX: pg_constraint holds only primary and
  // foreign keys (and oban_jobs has no CHECKs), so a reader of pg_constraint alone finds no keys.
  const { rows: constraints } = await client.query<{ what: string }>(`
    SELECT format('%s %s %s', c.relname, con.contype, con.conname) AS what
      FROM pg_constraint con
      JOIN pg_class c ON c.oid = con.conrelid
     WHERE c.relnamespace = 'public'::regnamespace AND con.contype NOT IN ('p', 'f')`);
  assert.deepEqual(constraints.map((r) => r.what), [], 'no UNIQUE, CHECK or EXCLUDE constraints');

  const { rows: indexes } = await client.query<{ table: string; index: string; columns: string[]; constraint: boolean }>(`
    SELECT c.relname::text AS "table", ic.relname::text AS index,
           ARRAY(SELECT a.attname::text FROM unnest(i.indkey[0:i.indnkeyatts - 1]) WITH ORDINALITY AS k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
           EXISTS (SELECT FROM pg_constraint con WHERE con.conindid = i.indexrelid) AS "constraint"
      FROM pg_index i
      JOIN pg_class c ON c.oid = i.indrelid
      JOIN pg_class ic ON ic.oid = i.indexrelid
     WHERE c.relnamespace = 'public'::regnamespace AND i.indisunique AND NOT i.indisprimary
     ORDER BY 1, 2`);
  const documented = Object.entries(expected.tables).flatMap(([table, t]) => t.unique.map((columns) => `${table}(${columns.join(', ')})`));
  assert.deepEqual(indexes.map((i) => `${i.table}(${i.columns.join(', ')})`).sort(), documented.sort(), 'one unique index per documented unique set');
  for (const index of indexes) {
    assert.equal(index.constraint, false, `${index.index} is a plain unique index`);
    assert.match(index.index, /^(UQ|IDX)_[0-9a-f]{27}$/, `${index.table}: legacy hash-style name`);
  }
});

test('some of the non-unique indexes the page mentions exist (the worker must not depend on them)', async () => {
  const { rows } = await client.query<{ index: string }>(`
    SELECT format('%s(%s)', c.relname, array_to_string(ARRAY(
             SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.ord), ', ')) AS index
      FROM pg_index i
      JOIN pg_class c ON c.oid = i.indrelid
     WHERE c.relnamespace = 'public'::regnamespace AND NOT i.indisunique`);
  const plain = rows.map((r) => r.index);
  for (const index of ['team(lastSyncedAt)', 'player(league, lastSyncedAt)', 'player(name)', 'email(status)']) {
    assert.ok(plain.includes(index), `non-unique index ${index} (have: ${plain.join('; ')})`);
  }
});

/** One schema as its own deployment sees it: defaults and type names print relative to the search_path. */
async function readAsDeployment(schema: string, before = ''): Promise<SchemaSnapshot> {
  await client.query('BEGIN');
  try {
    if (before) await client.query(before);
    await client.query(`SELECT set_config('search_path', quote_ident($1), true)`, [schema]);
    return await readLiveSchema(client, schema);
  } finally {
    await client.query('ROLLBACK');
  }
}

test('the same history builds staging into its own schema, beside public and independent of it', async () => {
  await applyOwnerSchema(client, { schema: 'staging' });
  const staging = await readAsDeployment('staging');
  assert.deepEqual(Object.keys(staging.tables).sort(), Object.keys(live.tables).sort(), 'staging: the full set of tables');
  assert.deepEqual(staging, live, 'staging has the same enums, tables, keys and views as public');
  assert.deepEqual(await readLiveSchema(client), live, 'public is unchanged');
  // Its own enums, sequences, tables and oban_jobs: with public gone (rolled back), nothing of
  // staging goes with it. DROP … CASCADE would take any column, default, key or view of staging
  // that referred to a public object.
  assert.deepEqual(await readAsDeployment('staging', 'DROP SCHEMA public CASCADE'), live, 'staging stands alone');
  const { rows } = await client.query<{ schema: string }>(`SELECT DISTINCT "schema" FROM staging.typeorm_metadata`);
  assert.deepEqual(rows, [{ schema: 'staging' }], 'typeorm_metadata records the schema the views were built in');
  // Building into a schema that already holds the history fails like a replay does.
  await assert.rejects(applyOwnerSchema(client, { schema: 'staging' }), /owner migration 0001_\w+\.sql failed/);
});

test('the views run and hydrate a trade across the polymorphic trade_item', async () => {
  // Types alone don't prove the joins; one small trade checks the semantics the worker relies on.
  const [teamA, teamB, user, major, minor, pick, trade] = [
    '00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-00000000000b',
    '00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000d1',
    '00000000-0000-4000-8000-0000000000d2', '00000000-0000-4000-8000-0000000000e1',
    '00000000-0000-4000-8000-0000000000f1',
  ];
  await client.query('BEGIN');
  try {
    await client.query(`INSERT INTO team (id, name) VALUES ('${teamA}', 'Aces'), ('${teamB}', 'Bats')`);
    await client.query(`INSERT INTO "user" (id, email, "displayName", "teamId") VALUES ('${user}', 'b@example.com', 'Bea', '${teamB}')`);
    await client.query(`INSERT INTO player (id, name, league, meta, "leagueTeamId") VALUES
      ('${major}', 'Major Guy', '1', '{"espnPlayer": {"player": {"eligibleSlots": [1, 2], "proTeamId": 7}}, "position": "SS", "proTeamId": "7"}', '${teamA}'),
      ('${minor}', 'Minor Guy', '2', '{"minorLeaguePlayerFromSheet": {"mlbTeam": "NYY", "position": "P", "leagueLevel": "High"}}', '${teamB}')`);
    await client.query(`INSERT INTO draft_pick (id, round, season, type, "currentOwnerId", "originalOwnerId") VALUES ('${pick}', 1, 2025, '1', '${teamB}', '${teamA}')`);
    await client.query(`INSERT INTO trade (id, status, "acceptedBy") VALUES ('${trade}', '4', '["${user}"]')`);
    await client.query(`INSERT INTO trade_participant (id, "participantType", "tradeId", "teamId") VALUES
      (gen_random_uuid(), '1', '${trade}', '${teamA}'), (gen_random_uuid(), '2', '${trade}', '${teamB}')`);
    // The pick row reuses no player id, but the type column alone decides which table it joins.
    await client.query(`INSERT INTO trade_item (id, "tradeItemId", "tradeItemType", "tradeId", "senderId", "recipientId") VALUES
      (gen_random_uuid(), '${major}', '1', '${trade}', '${teamA}', '${teamB}'),
      (gen_random_uuid(), '${minor}', '1', '${trade}', '${teamB}', '${teamA}'),
      (gen_random_uuid(), '${pick}', '2', '${trade}', '${teamA}', '${teamB}')`);

    const majors = await client.query(`SELECT * FROM hydrated_majors`);
    assert.deepEqual(majors.rows, [{
      id: major, name: 'Major Guy', league: '1', mlbTeam: '7',
      ownerTeam: { id: teamA, name: 'Aces' }, eligiblePositions: [1, 2], mainPosition: 'SS',
    }]);
    const minors = await client.query(`SELECT * FROM hydrated_minors`);
    assert.deepEqual(minors.rows, [{
      id: minor, name: 'Minor Guy', league: '2', ownerTeam: { id: teamB, name: 'Bats' },
      minorTeam: 'NYY', position: 'P', minorLeagueLevel: 'High',
    }]);
    const trades = await client.query(`SELECT * FROM hydrated_trades`);
    assert.equal(trades.rows.length, 1);
    const row = trades.rows[0] as Record<string, unknown>;
    assert.equal(row.tradeCreator, 'Aces');
    assert.deepEqual(row.tradeRecipients, ['Bats']);
    assert.deepEqual(row.acceptingUsers, ['Bea']);
    assert.deepEqual(row.tradedMajors, [{ ...majors.rows[0], sender: 'Aces', recipient: 'Bats' }]);
    assert.deepEqual(row.tradedMinors, [{ ...minors.rows[0], sender: 'Bats', recipient: 'Aces' }]);
    assert.deepEqual(row.tradedPicks, [{
      id: pick, season: 2025, type: '1', round: 1, pickNumber: null,
      currentPickHolder: { id: teamB, name: 'Bats' }, originalPickOwner: { id: teamA, name: 'Aces' },
      sender: 'Aces', recipient: 'Bats',
    }]);
  } finally {
    await client.query('ROLLBACK');
  }
});

test('migration files are plain history: no IF [NOT] EXISTS / OR REPLACE, and a replay fails', async () => {
  const files = await listOwnerMigrations();
  assert.ok(files.length >= 5, `expected a migration history, got ${files.join(', ')}`);
  for (const file of files) {
    const sql = await readFile(path.join(ownerMigrationsDir, file), 'utf8');
    const code = sql.replace(/--.*$/gm, '');
    assert.doesNotMatch(code, /\bIF\s+(NOT\s+)?EXISTS\b|\bOR\s+REPLACE\b/i, `${file} must not be idempotent`);
  }
  // Replaying onto the migrated database must fail on the first file, rolled back cleanly.
  await assert.rejects(applyOwnerSchema(client), new RegExp(`owner migration ${files[0]} failed`));
  const { rows } = await client.query<{ ok: number }>('SELECT 1 AS ok');
  assert.deepEqual(rows, [{ ok: 1 }], 'connection is usable (no transaction left open)');
});
