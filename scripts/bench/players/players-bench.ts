/**
 * `npm run bench -- players` (issue 8): `espn.players-sync` against a local ESPN serving a pool of
 * 5,000 players in 50 pages (no pause), synced into a seeded league. Each run is a process of its
 * own (measured-sync.ts) started with the worker's own Node flags: per repetition, a first run
 * (mostly inserts) and a second (steady state, nothing to change) on a fresh clone of the seeded
 * database; then one with a pool a tenth the size, to show the statements do not grow with it.
 * A measurement: exits 0 whatever the numbers, and prints PASS/MISS against the targets.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startFakeEspn } from '../../../dev/jobs/espn/fake-espn.ts';
import { seededPlayerPool } from '../../../dev/jobs/espn/seeded-player-pool.ts';
import { seedDatabase } from '../../../dev/seed/seed-database.ts';
import { applyOwnerSchema } from '../../../test/fixtures/owner-schema/apply-owner-schema.ts';
import { withPgClient } from '../../lib/pg-client.ts';
import { openBenchDatabase } from '../db.ts';
import type { SyncMeasurement } from './measured-sync.ts';

/** Issue 8's targets. */
export const playersTargets = { dbMsPerRun: 1000, peakRssAboveIdleMb: 50 } as const;

const LEAGUE_ID = 424242;
const SEASON = 2026;
const repoRoot = path.resolve(import.meta.dirname, '../../..');

export interface PlayersRun {
  readonly label: 'first run' | 'second run' | 'a tenth of the pool';
  readonly repetition: number;
  readonly measurement: SyncMeasurement;
}

/**
 * The Node flags `npm start` runs the worker with (package.json), so the measured process is the
 * worker as deployed, memory settings included.
 */
export async function workerNodeFlags(): Promise<string[]> {
  const manifest = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const words = (manifest.scripts.start ?? '').split(/\s+/);
  if (words[0] !== 'node' || words.at(-1) !== 'src/main.ts') throw new Error(`package.json's start script is not "node [flags] src/main.ts": ${manifest.scripts.start}`);
  return words.slice(1, -1);
}

function runMeasuredSync(flags: readonly string[], env: Record<string, string>): Promise<SyncMeasurement> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...flags, '--expose-gc', path.join(import.meta.dirname, 'measured-sync.ts')], {
      env: { PATH: process.env.PATH ?? '', TZ: 'UTC', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) {
        reject(new Error(`the measured sync exited ${code}: ${stderr.trim() || stdout.trim() || 'no output'}`));
        return;
      }
      resolve(JSON.parse(line) as SyncMeasurement);
    });
  });
}

function databaseUrl(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/**
 * Seeds the league once, then per repetition clones it (CREATE DATABASE … TEMPLATE) and measures a
 * first and a second run on the clone; the last clone also gets a pool a tenth the size.
 */
export async function benchPlayersSync(seededUrl: string, players: number, repeat: number, progress: (line: string) => void): Promise<PlayersRun[]> {
  await withPgClient(seededUrl, async (client) => {
    await applyOwnerSchema(client);
    await applyOwnerSchema(client, { schema: 'staging' });
  });
  const { league } = await seedDatabase(seededUrl, { season: SEASON });
  const seeded = new URL(seededUrl).pathname.slice(1);
  const adminUrl = databaseUrl(seededUrl, 'postgres');
  const flags = await workerNodeFlags();
  const fake = await startFakeEspn();
  const runs: PlayersRun[] = [];
  try {
    for (let repetition = 1; repetition <= repeat; repetition += 1) {
      const clone = `${seeded}_r${repetition}`;
      await withPgClient(adminUrl, (client) => client.query(`CREATE DATABASE ${clone} TEMPLATE ${seeded}`));
      try {
        const env = { DATABASE_URL: databaseUrl(seededUrl, clone), ESPN_BASE_URL: fake.baseUrl, ESPN_LEAGUE_ID: String(LEAGUE_ID), ESPN_SEASON: String(SEASON) };
        const plan: { label: PlayersRun['label']; poolSize: number }[] = [
          { label: 'first run', poolSize: players },
          { label: 'second run', poolSize: players },
        ];
        if (repetition === repeat) plan.push({ label: 'a tenth of the pool', poolSize: Math.round(players / 10) });
        for (const { label, poolSize } of plan) {
          // The small pool is the big one's head: all players the database already has.
          fake.setPlayerPool(SEASON, LEAGUE_ID, seededPlayerPool(league, players).slice(0, poolSize));
          progress(`players ${repetition}/${repeat}: ${label}, ${poolSize.toLocaleString('en-US')} players …`);
          runs.push({ label, repetition, measurement: await runMeasuredSync(flags, env) });
        }
      } finally {
        await withPgClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${clone} WITH (FORCE)`));
      }
    }
    return runs;
  } finally {
    await fake.close();
  }
}

function verdict(ok: boolean): string {
  return ok ? 'PASS' : 'MISS';
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The report: one line per run, then each target judged on the worst repetition. */
export function formatPlayersReport(runs: readonly PlayersRun[], where: string, flags: readonly string[]): string {
  const header = ['run', '#', 'pool', 'wall', 'DB time', 'statements', 'peak RSS above idle', 'inserted', 'updated', 'unchanged'];
  const rows = runs.map(({ label, repetition, measurement: m }) => {
    const target = m.result.targets[0];
    return [
      label,
      String(repetition),
      m.result.poolSize.toLocaleString('en-US'),
      `${m.wallMs.toFixed(0)} ms`,
      `${m.dbMs.toFixed(0)} ms`,
      String(m.statements),
      `${m.peakRssAboveIdleMb.toFixed(1)} MB (idle ${m.idleRssMb.toFixed(0)} MB)`,
      String(target?.inserted ?? '?'),
      String((target?.updated ?? 0) - (target?.inserted ?? 0)),
      String(target?.unchanged ?? '?'),
    ];
  });
  const widths = header.map((_, index) => Math.max(header[index]!.length, ...rows.map((row) => row[index]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!))).join('  ');
  const full = runs.filter((run) => run.label !== 'a tenth of the pool');
  const small = runs.find((run) => run.label === 'a tenth of the pool');
  const summary = (label: PlayersRun['label']) => {
    const of = full.filter((run) => run.label === label).map((run) => run.measurement);
    return `${label}: median wall ${median(of.map((m) => m.wallMs)).toFixed(0)} ms, DB ${median(of.map((m) => m.dbMs)).toFixed(0)} ms, peak RSS ${median(of.map((m) => m.peakRssAboveIdleMb)).toFixed(1)} MB above idle`;
  };
  const worstDb = Math.max(...full.map((run) => run.measurement.dbMs));
  const worstRss = Math.max(...full.map((run) => run.measurement.peakRssAboveIdleMb));
  const statements = new Set(runs.map((run) => run.measurement.statements));
  return [
    `espn.players-sync, ${where}; worker flags: ${flags.join(' ') || '(none)'}`,
    line(header),
    ...rows.map(line),
    '',
    summary('first run'),
    summary('second run'),
    '',
    `${verdict(worstDb < playersTargets.dbMsPerRun)}  database time per run < ${playersTargets.dbMsPerRun} ms (worst ${worstDb.toFixed(0)} ms)`,
    `${verdict(worstRss <= playersTargets.peakRssAboveIdleMb)}  peak RSS ≤ ${playersTargets.peakRssAboveIdleMb} MB above idle (worst ${worstRss.toFixed(1)} MB)`,
    `${verdict(statements.size === 1)}  statements independent of the pool size (${[...statements].join(' / ')} for ${full[0]?.measurement.result.poolSize ?? '?'} and ${small?.measurement.result.poolSize ?? '?'} players)`,
    '',
  ].join('\n');
}

/** `npm run bench -- players [--players 5000]`. */
export async function playersBenchMain(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { players: { type: 'string', default: '5000' }, repeat: { type: 'string', default: '3' } } });
  const players = Number(values.players);
  const repeat = Number(values.repeat);
  // Above the seeded league's 600 majors even at a tenth, so the small run has a pool of its own size.
  if (!Number.isInteger(players) || players < 600 || !Number.isInteger(repeat) || repeat < 1) {
    process.stderr.write(`bench: --players must be an integer of at least 600 and --repeat a positive integer (got "${values.players}", "${values.repeat}")\n`);
    return 2;
  }
  const database = await openBenchDatabase(process.env.BENCH_DATABASE_URL);
  try {
    const runs = await benchPlayersSync(database.url, players, repeat, (line) => process.stderr.write(`${line}\n`));
    process.stdout.write(formatPlayersReport(runs, `${database.where}, PostgreSQL ${database.serverVersion}`, await workerNodeFlags()));
    return 0;
  } catch (error) {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  } finally {
    await database.close();
  }
}
