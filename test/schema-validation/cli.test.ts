/**
 * `npm run schema:check` as the owner's CI runs it: formats and exit codes (0 clean or warnings,
 * 1 breaking, 2 could not check).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { findFreePort } from '../support/free-port.ts';
import { runNodeScript } from '../support/spawn-node.ts';
import { ownerMigrations } from './support/owner-migrations.ts';

const check = (args: string[]) => runNodeScript('scripts/schema-check.ts', args, {});

describe('schema:check CLI', () => {
  let clean: TestDatabase;
  let drifted: TestDatabase;

  before(async () => {
    [clean, drifted] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    await drifted.pool.query(`${ownerMigrations.droppedColumn}\n${ownerMigrations.addedEnumLabel}`);
  });
  after(async () => {
    await Promise.all([clean.drop(), drifted.drop()]);
  });

  test('a clean database: exit 0 and a short table', async () => {
    const result = await check(['--url', clean.url]);
    assert.equal(result.code, 0, result.stderr);
    const where = new URL(clean.url);
    where.password = '***';
    assert.equal(result.stdout, `Schema check of "public" on ${where}: CLEAN (0 breaking, 0 warnings, 0 info)\nEverything the worker relies on is there, as it expects.\n`);
  });

  test('breaking drift: exit 1, in each format', async () => {
    const table = await check(['--url', drifted.url]);
    assert.equal(table.code, 1, table.stderr);
    const lines = table.stdout.split('\n');
    assert.match(lines[0] ?? '', /^Schema check of "public" on postgres:.*: BREAKING \(1 breaking, 1 warnings, 0 info\)$/);
    assert.deepEqual(lines.slice(2, 5).map((line) => line.split(/ {2,}/).slice(0, 5)), [
      ['SEVERITY', 'OBJECT', 'CHANGE', 'EXPECTED', 'ACTUAL'],
      ['breaking', 'team."espnTeam"', 'missing_column', 'jsonb', '—'],
      ['warning', 'draft_pick_type_enum', 'enum_label_added', '—', '4'],
    ]);

    const json = await check(['--url', drifted.url, '--format', 'json']);
    assert.equal(json.code, 1);
    const report = JSON.parse(json.stdout) as { status: string; findings: { object: string; severity: string }[]; database: string };
    assert.equal(report.status, 'breaking');
    assert.deepEqual(report.findings.map((f) => [f.severity, f.object]), [['breaking', 'team."espnTeam"'], ['warning', 'draft_pick_type_enum']]);
    assert.match(report.database, /^postgres:\/\/[^:]+:\*\*\*@/, 'the password is masked');

    const markdown = await check(['--url', drifted.url, '--format', 'markdown']);
    assert.equal(markdown.code, 1);
    assert.match(markdown.stdout, /^### ❌ Schema check of "public"/);
    assert.ok(markdown.stdout.includes('| breaking | `team."espnTeam"` | missing_column | `jsonb` | — | the column is gone; the worker updates it |'), markdown.stdout);
  });

  test('warnings only: exit 0', async () => {
    const result = await check(['--url', clean.url, '--queue-schema', 'pgboss']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /CLEAN \(0 breaking, 0 warnings, 1 info\)/);
    const strict = await check(['--url', clean.url, '--queue-schema', 'pgboss', '--no-queue-migrate', '--format', 'json']);
    assert.equal(strict.code, 1);
    assert.equal((JSON.parse(strict.stdout) as { findings: { kind: string }[] }).findings[0]?.kind, 'queue_schema_missing');
  });

  test('could not check: exit 2 with why', async () => {
    const noSchema = await check(['--url', clean.url, '--schema', 'owner']);
    assert.equal(noSchema.code, 2);
    assert.equal(noSchema.stderr, 'schema-check: could not check: SCHEMA_NOT_FOUND: schema "owner" does not exist in this database\n');

    const port = await findFreePort();
    const unreachable = await check(['--url', `postgres://someone:secret@127.0.0.1:${port}/nothing`, '--format', 'json']);
    assert.equal(unreachable.code, 2);
    assert.equal((JSON.parse(unreachable.stdout) as { code: string }).code, 'DATABASE_UNREACHABLE');
    assert.ok(!unreachable.stdout.includes('secret') && !unreachable.stderr.includes('secret'), 'the password is not printed');

    const badFormat = await check(['--url', clean.url, '--format', 'yaml']);
    assert.equal(badFormat.code, 2);
    assert.match(badFormat.stderr, /--format must be one of table, json, markdown \(got "yaml"\)/);
  });
});
