/**
 * One owner migration at a time on top of the owner-schema stand-in, and the exact report the
 * check gives for it. Each case runs in a transaction that is rolled back (PostgreSQL DDL is
 * transactional), so every case starts from the stand-in exactly as the template holds it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { applyOwnerSchema } from '../fixtures/owner-schema/apply-owner-schema.ts';
import { ownerContract, type OwnerContractShape } from '../../src/db/owner-contract.ts';
import { checkSchema } from '../../src/db/schema-check/check-schema.ts';
import type { SchemaCheckReport, SchemaFinding } from '../../src/db/schema-check/report.ts';
import { ownerMigrations, type OwnerMigrationName } from './support/owner-migrations.ts';

let database: TestDatabase;
let client: pg.Client;

before(async () => {
  database = await createTestDatabase();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
});
after(async () => {
  await client.end();
  await database.drop();
});

/**
 * The worker's contract plus an upsert ON CONFLICT ("espnId") on team: a key the owner enforces
 * with a unique INDEX, not a constraint. (The worker's own ON CONFLICT key today is email's primary key.)
 */
const upsertsTeamsByEspnId = {
  ...ownerContract,
  tables: { ...ownerContract.tables, team: { ...ownerContract.tables.team, uniqueKeys: [['espnId']] } },
} satisfies OwnerContractShape;

/** The report after applying one owner migration; the migration is rolled back afterwards. */
async function reportAfter(migration: OwnerMigrationName, contract?: OwnerContractShape): Promise<SchemaCheckReport> {
  await client.query('BEGIN');
  try {
    await client.query(ownerMigrations[migration]);
    return await checkSchema({ client, contract });
  } finally {
    await client.query('ROLLBACK');
  }
}

const finding = (severity: SchemaFinding['severity'], object: string, kind: SchemaFinding['kind'], expected: string | null, actual: string | null, message: string): SchemaFinding => ({
  severity,
  object,
  kind,
  expected,
  actual,
  message,
});

const noTeamKey: SchemaFinding = finding('breaking', 'team("espnId")', 'unique_key_missing', 'unique ("espnId")', null, 'no primary key or unique index on exactly ("espnId"); the worker\'s ON CONFLICT ("espnId") fails');

const cases: readonly { migration: OwnerMigrationName; contract?: OwnerContractShape; status: SchemaCheckReport['status']; findings: SchemaFinding[] }[] = [
  {
    migration: 'droppedColumn',
    status: 'breaking',
    findings: [finding('breaking', 'team."espnTeam"', 'missing_column', 'jsonb', null, 'the column is gone; the worker updates it')],
  },
  {
    migration: 'renamedColumn',
    status: 'breaking',
    findings: [finding('breaking', 'user."displayName"', 'missing_column', 'character varying', null, 'the column is gone; the worker reads it')],
  },
  {
    migration: 'safeTypeChange',
    status: 'clean',
    findings: [finding('info', 'email.status', 'type_changed', 'character varying', 'text', 'both are strings without a length limit (the worker reads and inserts and updates and filters on it)')],
  },
  {
    migration: 'lengthLimit',
    status: 'warnings',
    findings: [
      finding('warning', 'sync_job_execution."traceId"', 'type_changed', 'character varying', 'character varying(16)', 'the new limit (16) may reject values the worker writes (the worker inserts it)'),
    ],
  },
  {
    migration: 'unsafeTypeChange',
    status: 'breaking',
    findings: [
      finding(
        'breaking',
        'sync_job_execution."startedAt"',
        'type_changed',
        'timestamp(6) without time zone',
        'timestamp with time zone',
        'the shared "timestamps are UTC without a zone" convention changes; existing rows are converted in the migration\'s time zone (the worker inserts and filters on it)',
      ),
    ],
  },
  // timestamp is timestamp(6): re-declaring the owner's columns without the precision changes nothing.
  { migration: 'bareTimestamps', status: 'clean', findings: [] },
  {
    migration: 'lowerPrecision',
    status: 'warnings',
    findings: [
      finding(
        'warning',
        'sync_job_execution."startedAt"',
        'type_changed',
        'timestamp(6) without time zone',
        'timestamp(3) without time zone',
        'a lower precision (3) rounds the fractional seconds of what the worker writes (the worker inserts and filters on it)',
      ),
    ],
  },
  {
    migration: 'nullable',
    status: 'breaking',
    findings: [finding('breaking', 'user.email', 'nullability_changed', 'NOT NULL', 'NULL', 'now nullable; the worker reads it as never null')],
  },
  {
    migration: 'removedEnumLabel',
    status: 'breaking',
    findings: [finding('breaking', 'SyncJobStatus', 'enum_label_removed', 'failed', null, "label 'failed' removed; the worker relies on it: sync_job_execution.status, written by every sync")],
  },
  {
    migration: 'renamedEnumLabel',
    status: 'breaking',
    findings: [
      finding('breaking', 'SyncJobType', 'enum_label_renamed', 'espn_team_sync', 'espn_teams_sync', "label 'espn_team_sync' renamed to 'espn_teams_sync'; the worker relies on it: sync_job_execution.\"jobType\", written by espn.team-sync, espn.players-sync, sheets.minors-sync and sheets.draft-picks-sync"),
    ],
  },
  {
    migration: 'addedEnumLabel',
    status: 'warnings',
    findings: [finding('warning', 'draft_pick_type_enum', 'enum_label_added', null, '4', "new label '4'; the worker must handle it: draft_pick.type, written by sheets.draft-picks-sync; hydrated_trades.\"tradedPicks\"[].type, named in trade emails")],
  },
  // The owner's keys are unique indexes; the live reader finds them in pg_index.
  { migration: 'droppedUniqueKey', contract: upsertsTeamsByEspnId, status: 'breaking', findings: [noTeamKey] },
  { migration: 'partialUniqueKey', contract: upsertsTeamsByEspnId, status: 'breaking', findings: [noTeamKey] },
  { migration: 'expressionUniqueKey', contract: upsertsTeamsByEspnId, status: 'breaking', findings: [noTeamKey] },
  {
    migration: 'droppedPrimaryKey',
    status: 'breaking',
    findings: [
      finding('breaking', 'email("messageId")', 'unique_key_missing', 'unique ("messageId")', null, 'no primary key or unique index on exactly ("messageId"); the worker\'s ON CONFLICT ("messageId") fails'),
    ],
  },
  {
    migration: 'newNotNullColumn',
    status: 'breaking',
    findings: [finding('breaking', 'email.provider', 'not_null_without_default', null, 'character varying NOT NULL, no default', 'the worker inserts into email without this column, so every insert fails')],
  },
  {
    migration: 'droppedView',
    status: 'breaking',
    findings: [finding('breaking', 'hydrated_trades', 'missing_view', 'view', null, 'view hydrated_trades is gone; the worker reads 8 of its columns')],
  },
  {
    migration: 'changedViewColumnType',
    status: 'breaking',
    findings: [finding('breaking', 'hydrated_trades."tradeRecipients"', 'type_changed', 'character varying[]', 'text', 'an array became a single value (the worker reads it)')],
  },
  {
    migration: 'droppedObanColumn',
    status: 'breaking',
    findings: [finding('breaking', 'oban_jobs.attempted_by', 'missing_column', 'text[]', null, 'the column is gone; the worker filters on and updates it')],
  },
  {
    migration: 'removedObanLabel',
    status: 'breaking',
    findings: [finding('breaking', 'oban_job_state', 'enum_label_removed', 'cancelled', null, `label 'cancelled' removed; the worker relies on it: ${ownerContract.enums.oban_job_state.usedBy}`)],
  },
  {
    migration: 'addedObanLabel',
    status: 'clean',
    findings: [finding('info', 'oban_job_state', 'enum_label_added', null, 'suspended', "new label 'suspended'; the worker only writes oban_job_state values")],
  },
  {
    migration: 'widenedObanAttempt',
    status: 'breaking',
    findings: [finding('breaking', 'oban_jobs.attempt', 'type_changed', 'integer', 'bigint', 'pg returns bigint values as strings, not numbers (the worker reads and filters on and updates it)')],
  },
  // New columns on oban_jobs are no finding at all: the worker never inserts there, and reads only what it names.
  { migration: 'addedObanColumns', status: 'clean', findings: [] },
  // A new table, an unused column dropped, a nullable column and a defaulted NOT NULL column added
  // to tables the worker inserts into, a label on an enum it does not use, a new index.
  { migration: 'unrelated', status: 'clean', findings: [] },
];

describe('schema drift, one owner migration at a time', () => {
  test('the stand-in itself is clean', async () => {
    assert.deepEqual(await checkSchema({ client }), { status: 'clean', ownerSchema: 'public', queueSchema: null, findings: [] });
  });

  test('the stand-in is clean for a contract that upserts on a unique index', async () => {
    assert.deepEqual((await checkSchema({ client, contract: upsertsTeamsByEspnId })).findings, []);
  });

  for (const { migration, contract, status, findings } of cases) {
    test(migration, async () => {
      const report = await reportAfter(migration, contract);
      assert.deepEqual(report.findings, findings);
      assert.equal(report.status, status);
    });
  }
});

describe('the owner\'s staging deployment, in schema "staging"', () => {
  test('built from the same history beside public, it is clean', async () => {
    const staging = await createTestDatabase();
    const own = new pg.Client({ connectionString: staging.url });
    await own.connect();
    try {
      // The template holds staging already; build it again here from the history, into the schema.
      await own.query('DROP SCHEMA staging CASCADE');
      await applyOwnerSchema(own, { schema: 'staging' });
      assert.deepEqual(await checkSchema({ client: own, ownerSchema: 'staging' }), { status: 'clean', ownerSchema: 'staging', queueSchema: null, findings: [] });
      // Each deployment is read on its own: drift in staging does not show in public's report.
      await own.query('ALTER TABLE staging.team DROP COLUMN "espnTeam"');
      assert.deepEqual((await checkSchema({ client: own, ownerSchema: 'staging' })).findings.map((f) => f.object), ['team."espnTeam"']);
      assert.equal((await checkSchema({ client: own })).status, 'clean');
      // staging's own oban_jobs and oban_job_state are guarded too.
      await own.query('ALTER TABLE staging.oban_jobs DROP COLUMN attempted_by');
      assert.deepEqual((await checkSchema({ client: own, ownerSchema: 'staging' })).findings.map((f) => f.object), ['oban_jobs.attempted_by', 'team."espnTeam"']);
      assert.equal((await checkSchema({ client: own })).status, 'clean');
    } finally {
      await own.end();
      await staging.drop();
    }
  });
});
