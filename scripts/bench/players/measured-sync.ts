/**
 * One measured `espn.players-sync` run, in a process of its own so its RSS is the worker's alone
 * (the fake ESPN and the bench's bookkeeping live in the parent). Started by players-bench.ts; prints
 * one JSON line (`SyncMeasurement`) on stdout.
 *
 * Environment: DATABASE_URL, ESPN_BASE_URL, ESPN_LEAGUE_ID, ESPN_SEASON (the parent sets them).
 */
import type pg from 'pg';
import { pino } from 'pino';
import { loadConfig } from '../../../src/config.ts';
import { openTargets } from '../../../src/db/targets.ts';
import { createClients } from '../../../src/jobs/clients.ts';
import { playersSync, type PlayersSyncResult } from '../../../src/jobs/espn/players-sync.ts';
import { runJobInline } from '../../../src/jobs/runner.ts';
import { createSideEffectStore, poolSql } from '../../../src/jobs/side-effects.ts';
import { heapUsedMb } from '../heap.ts';

export interface SyncMeasurement {
  readonly wallMs: number;
  /** Sum of every statement's round trip, as the worker's pg client saw it (BEGIN and COMMIT included). */
  readonly dbMs: number;
  readonly statements: number;
  /** Peak resident set size above the idle process (modules loaded, pool connected, after a GC), MiB. */
  readonly peakRssAboveIdleMb: number;
  readonly idleRssMb: number;
  readonly result: PlayersSyncResult;
}

const MIB = 1024 * 1024;

/** Times every query a pooled client sends; the client code above it is untouched. */
function meterQueries(pool: pg.Pool): { statements: number; dbMs: number } {
  const meter = { statements: 0, dbMs: 0 };
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (...args: unknown[]) => {
      const started = performance.now();
      const pending = query(...args);
      if (!(pending instanceof Promise)) return pending;
      meter.statements += 1;
      return pending.finally(() => (meter.dbMs += performance.now() - started));
    };
  });
  return meter;
}

/** Samples RSS every millisecond the event loop is free; `resourceUsage().maxRSS` catches what it misses. */
function sampleRss(): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 1);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}

const config = loadConfig({ ...process.env, DEPLOY_ENV: 'test', LOG_LEVEL: 'silent', ESPN_PLAYERS_PAGE_PAUSE_MS: '0' });
const log = pino({ level: 'silent' });
const targets = openTargets(config.targets, 2);
const production = targets.get('production');
const meter = meterQueries(production.pool);
const clients = createClients(config, log);
const sideEffects = createSideEffectStore(() => poolSql(production.pool), config.database.queueSchema);
try {
  // Idle: every module loaded, a connection open, a full GC behind it.
  await production.pool.query('SELECT 1');
  meter.statements = 0;
  meter.dbMs = 0;
  heapUsedMb();
  await new Promise((resolve) => setTimeout(resolve, 200));
  heapUsedMb();
  const idleRss = process.memoryUsage.rss();
  const maxRssBefore = process.resourceUsage().maxRSS * 1024;
  const sampler = sampleRss();
  const started = performance.now();
  const result = (await runJobInline(playersSync, {}, { config, targets, clients, log, sideEffects })) as PlayersSyncResult;
  const wallMs = performance.now() - started;
  const sampled = sampler.stop();
  // A peak the sampler missed shows as a new lifetime maximum; below the old one it is not visible.
  const maxRssAfter = process.resourceUsage().maxRSS * 1024;
  const peak = maxRssAfter > maxRssBefore ? Math.max(sampled, maxRssAfter) : sampled;
  const measurement: SyncMeasurement = {
    wallMs,
    dbMs: meter.dbMs,
    statements: meter.statements,
    peakRssAboveIdleMb: Math.max(0, peak - idleRss) / MIB,
    idleRssMb: idleRss / MIB,
    result,
  };
  process.stdout.write(`${JSON.stringify(measurement)}\n`);
} finally {
  await clients.close();
  await targets.destroy();
}
