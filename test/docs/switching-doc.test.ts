/**
 * docs/switching.md's variable table stays honest: every variable of ours it names exists in
 * src/config.ts, and every variable of the previous service (jobs-reference §6.5) has a row.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { configVariables } from '../../src/config.ts';

const root = path.resolve(import.meta.dirname, '../..');

/** The previous service's variables, as jobs-reference §6.5 lists them (fallbacks included). */
const previousVariables = [
  'DATABASE_PASSWORD',
  'PROD_SCHEMA',
  'STAGING_SCHEMA',
  'PROD_DATABASE_USER',
  'STAGING_DATABASE_USER',
  'DATABASE_USER',
  'PROD_DATABASE_HOST',
  'STAGING_DATABASE_HOST',
  'DATABASE_HOST',
  'PROD_DATABASE_PORT',
  'STAGING_DATABASE_PORT',
  'DATABASE_NAME',
  'DATABASE_POOL_SIZE',
  'PORT',
  'PHX_HOST',
  'SECRET_KEY_BASE',
  'MINOR_LEAGUE_SHEET_ID',
  'MINOR_LEAGUE_SHEET_GID',
  'DRAFT_PICKS_SHEET_ID',
  'DRAFT_PICKS_SHEET_GID',
  'LOG_LEVEL',
  'ENABLE_CRON',
  'OBAN_MINORS_SYNC_CONCURRENCY',
  'OBAN_DRAFT_SYNC_CONCURRENCY',
  'GRAFANA_HOST',
  'GRAFANA_TOKEN',
  'BREVO_API_KEY',
  'FRONTEND_URL',
  'STAGING_FRONTEND_URL',
  'STAGING_EMAIL',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_TRACES_EXPORTER',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_SERVICE_NAME',
  'OTEL_SERVICE_VERSION',
  'ESPN_COOKIE',
  'ESPN_SWID',
  'ESPN_LEAGUE_ID',
  'ESPN_SEASON_YEAR',
  'DISCORD_BOT_TOKEN',
  'DISCORD_GUILD_ID',
  'DISCORD_CHANNEL_ID_PRODUCTION',
  'DISCORD_CHANNEL_ID_STAGING',
  'RELEASE_COOKIE',
  'CONTAINER_MODE',
] as const;

interface Row {
  readonly previous: readonly string[];
  readonly ours: readonly string[];
  readonly oursCell: string;
}

/** Variable names written in backticks in one cell (a backticked `a=b` or lower-case word is not one). */
function variablesIn(cell: string): string[] {
  return [...cell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((match) => match[1] as string);
}

/** The rows of the first table under "## Environment variables". */
function parseVariableTable(markdown: string): Row[] {
  const lines = markdown.split('\n');
  const heading = lines.findIndex((line) => line.trim() === '## Environment variables');
  assert.ok(heading >= 0, 'docs/switching.md has an "## Environment variables" section');
  const rows: Row[] = [];
  let inTable = false;
  for (const line of lines.slice(heading + 1)) {
    if (line.startsWith('## ')) break;
    if (!line.startsWith('|')) {
      if (inTable) break;
      continue;
    }
    inTable = true;
    const cells = line.split('|').slice(1, -1).map((cell) => cell.trim());
    if (cells.every((cell) => /^-+$/.test(cell))) continue;
    if (cells[0]?.startsWith('previous')) continue;
    assert.ok(cells.length >= 2, `a table row has the previous and our columns: ${line}`);
    const previousCell = cells[0] ?? '';
    const oursCell = cells[1] ?? '';
    rows.push({ previous: variablesIn(previousCell), ours: variablesIn(oursCell), oursCell });
  }
  return rows;
}

const markdown = await readFile(path.join(root, 'docs/switching.md'), 'utf8');
const rows = parseVariableTable(markdown);

test('the table has rows, and each names a previous variable and either ours or "no equivalent (why)"', () => {
  assert.ok(rows.length > 0, 'the variable table was found');
  for (const row of rows) {
    assert.ok(row.previous.length > 0, `a row names a previous variable (ours: ${row.oursCell})`);
    if (row.ours.length === 0) {
      assert.match(row.oursCell, /^no equivalent( yet)? \(.+\)$/, `${row.previous.join(', ')}: ours is a variable or "no equivalent (why)"`);
    }
  }
});

test('every variable of ours the table names exists in src/config.ts', () => {
  const unknown = rows.flatMap((row) => row.ours.filter((name) => !configVariables.includes(name)).map((name) => `${name} (for ${row.previous.join(', ')})`));
  assert.deepEqual(unknown, [], 'variables named as ours that src/config.ts does not read');
});

test('every variable of the previous service (§6.5) has a row', () => {
  const listed = new Set(rows.flatMap((row) => row.previous));
  const missing = previousVariables.filter((name) => !listed.has(name));
  assert.deepEqual(missing, [], 'variables of §6.5 missing from the table');
});

test('the parser catches a variable of ours that does not exist and a missing previous one', () => {
  const broken = [
    '## Environment variables',
    '',
    '| previous service (§6.5) | ours | notes |',
    '|---|---|---|',
    '| `PORT` | `HTTP_PORTT` | typo |',
    '| `PHX_HOST` | no equivalent (why) | |',
    '',
  ].join('\n');
  const parsed = parseVariableTable(broken);
  assert.deepEqual(parsed.map((row) => row.previous), [['PORT'], ['PHX_HOST']]);
  assert.deepEqual(parsed.flatMap((row) => row.ours).filter((name) => !configVariables.includes(name)), ['HTTP_PORTT']);
  const listed = new Set(parsed.flatMap((row) => row.previous));
  assert.ok(!listed.has('ENABLE_CRON'));
});
