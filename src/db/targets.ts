import type pg from 'pg';
import type { TargetConfig } from '../config.ts';
import { closeOwnerDb, createOwnerDb, type OwnerDb } from './database.ts';
import { signalBoundDb } from './signal-bound-db.ts';

export type TargetName = TargetConfig['name'];

/** One owner database a job can write to. */
export interface Target {
  readonly name: TargetName;
  readonly isProduction: boolean;
  /** The owner schema its tables live in (production: public, staging: staging by default). */
  readonly schema: string;
  /** The origin of this deployment's web app, which every link sent for it must be on. */
  readonly frontendOrigin: string;
  readonly db: OwnerDb;
  /**
   * The same database, deaf to any job's signal: only for a job's own bookkeeping that must land
   * even as the job is being stopped (marking its sync run failed), never for the job's work.
   */
  readonly unboundDb: OwnerDb;
  readonly pool: pg.Pool;
}

/** The configured targets, opened once at start-up and shared by every job. */
export interface Targets {
  readonly all: readonly Target[];
  /** The target of that name; throws when it is not configured (staging with STAGING_ENABLED=false). */
  get(name: TargetName): Target;
  /** The targets a sync's `databaseScope` names: production, staging, or both. */
  forScope(scope: 'production' | 'staging' | 'both'): Target[];
  /**
   * The same targets for one job: their `db` obeys `signal` (a stopped job's queries are cancelled
   * and no new one starts). Built lazily, so a job that never queries pays nothing.
   */
  forSignal(signal: AbortSignal): Targets;
  destroy(): Promise<void>;
}

export class UnknownTargetError extends Error {
  override name = 'UnknownTargetError';
}

/**
 * Opens a pool per configured target, its search_path the target's schema: every query names
 * tables unqualified, so the same code serves production (public) and staging (staging), whether
 * staging shares production's database or has its own.
 */
export function openTargets(configs: readonly TargetConfig[], poolMax: number, onIdleError?: (target: TargetName, error: Error) => void): Targets {
  const all: Target[] = configs.map((config) => {
    const { db, pool } = createOwnerDb({
      url: config.databaseUrl,
      poolMax,
      applicationName: `trademachine-worker:${config.name}`,
      schema: config.schema,
      onIdleError: (error) => onIdleError?.(config.name, error),
    });
    return { name: config.name, isProduction: config.isProduction, schema: config.schema, frontendOrigin: config.frontendOrigin, db, unboundDb: db, pool };
  });
  return targetsOf(all, async () => {
    await Promise.all(all.map((target) => closeOwnerDb(target)));
  });
}

function targetsOf(all: readonly Target[], destroy: () => Promise<void>): Targets {
  const get = (name: TargetName): Target => {
    const target = all.find((candidate) => candidate.name === name);
    if (!target) throw new UnknownTargetError(`target "${name}" is not configured (configured: ${all.map((t) => t.name).join(', ')})`);
    return target;
  };
  return {
    all,
    get,
    forScope: (scope) => (scope === 'both' ? [get('production'), get('staging')] : [get(scope)]),
    forSignal: (signal) => targetsOf(all.map((target) => boundTarget(target, signal)), destroy),
    destroy,
  };
}

/** A target whose `db` is built on first use and obeys `signal`; the pool stays the shared one. */
function boundTarget(target: Target, signal: AbortSignal): Target {
  let db: OwnerDb | undefined;
  return {
    name: target.name,
    isProduction: target.isProduction,
    schema: target.schema,
    frontendOrigin: target.frontendOrigin,
    pool: target.pool,
    unboundDb: target.unboundDb,
    get db() {
      db ??= signalBoundDb(target.pool, signal);
      return db;
    },
  };
}
