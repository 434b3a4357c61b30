import { metrics, type ObservableResult } from '@opentelemetry/api';
import packageJson from '../../package.json' with { type: 'json' };
import type { RunningWorker } from '../worker.ts';
import { WORKER_METER } from './instruments.ts';
import { schemaCheckResults } from './schema-check-metric.ts';
import { observeUpstreamRequests } from './upstream-metrics.ts';

/** What registerWorkerMetrics reads from a running worker. */
export type MeteredWorker = Pick<RunningWorker, 'config' | 'targets' | 'boss'>;

/** A pool's counts as node-postgres keeps them. */
interface PoolCounts {
  readonly max: number;
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

/** Each owner database's pool by target name, and pg-boss's own pool as `queue`. */
function poolCounts(worker: MeteredWorker): [string, PoolCounts][] {
  const pools: [string, PoolCounts][] = worker.targets.all.map((target) => [
    target.name,
    { max: target.pool.options.max ?? 10, total: target.pool.totalCount, idle: target.pool.idleCount, waiting: target.pool.waitingCount },
  ]);
  const queue = worker.boss.getDb().poolCounts?.();
  if (queue) pools.push(['queue', queue]);
  return pools;
}

/**
 * Registers the metrics that read a running worker's state when scraped (database pools, build
 * info, schema-check result) and measures upstream HTTP by service. Call once, after startWorker;
 * the returned function undoes it.
 */
export function registerWorkerMetrics(worker: MeteredWorker): () => void {
  const meter = metrics.getMeter(WORKER_METER);
  const { config } = worker;

  const connections = meter.createObservableGauge('worker.db.pool.connections', {
    description: 'Database connections per pool, by state: used (checked out) or idle',
  });
  const waiting = meter.createObservableGauge('worker.db.pool.waiting', { description: 'Queries waiting for a free connection, per pool' });
  const max = meter.createObservableGauge('worker.db.pool.max', { description: 'Most connections a pool opens' });
  const poolCallback = (result: ObservableResult, pick: (counts: PoolCounts) => [number, Record<string, string>][]) => {
    for (const [pool, counts] of poolCounts(worker)) {
      for (const [value, labels] of pick(counts)) result.observe(value, { pool, ...labels });
    }
  };
  const onConnections = (result: ObservableResult) =>
    poolCallback(result, (counts) => [
      [counts.total - counts.idle, { state: 'used' }],
      [counts.idle, { state: 'idle' }],
    ]);
  const onWaiting = (result: ObservableResult) => poolCallback(result, (counts) => [[counts.waiting, {}]]);
  const onMax = (result: ObservableResult) => poolCallback(result, (counts) => [[counts.max, {}]]);
  connections.addCallback(onConnections);
  waiting.addCallback(onWaiting);
  max.addCallback(onMax);

  const buildInfo = meter.createObservableGauge('worker.build.info', { description: 'Always 1; the labels say which build is running' });
  const build = { version: config.build.version ?? packageJson.version, commit: config.build.commit };
  const onBuild = (result: ObservableResult) => result.observe(1, build);
  buildInfo.addCallback(onBuild);

  const schemaCheck = meter.createObservableGauge('worker.schema.check.status', {
    description: 'Result of the last schema check per target: 0 clean, 1 warnings, 2 breaking (schemaCheckStatusValue)',
  });
  const onSchemaCheck = (result: ObservableResult) => {
    for (const [target, value] of schemaCheckResults()) result.observe(value, { target });
  };
  schemaCheck.addCallback(onSchemaCheck);

  const stopUpstream = observeUpstreamRequests({
    [config.espn.baseUrl]: 'espn',
    [config.email.brevo.baseUrl]: 'brevo',
    [config.email.mailgun.baseUrl]: 'mailgun',
    [config.sheets.baseUrl]: 'google-sheets',
    [config.discord.apiBaseUrl]: 'discord',
  });

  return () => {
    connections.removeCallback(onConnections);
    waiting.removeCallback(onWaiting);
    max.removeCallback(onMax);
    buildInfo.removeCallback(onBuild);
    schemaCheck.removeCallback(onSchemaCheck);
    stopUpstream();
  };
}
