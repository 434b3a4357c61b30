import type pg from 'pg';
import { createSideEffectStore, poolSql, type SideEffectStore } from '../../src/jobs/side-effects.ts';

/**
 * The real side-effect store for tests that run jobs inline (no pg-boss): its table in the test
 * database's `pgboss` schema, as the worker keeps it. Created on first use.
 */
export function testSideEffects(pool: pg.Pool): SideEffectStore {
  const store = createSideEffectStore(() => poolSql(pool), 'pgboss');
  let installed: Promise<void> | undefined;
  return {
    install: (options) => store.install(options),
    prune: () => store.prune(),
    forJob: (job) => {
      const effects = store.forJob(job);
      return {
        once: async (effect, perform) => {
          installed ??= store.install({ migrate: true });
          await installed;
          return effects.once(effect, perform);
        },
      };
    },
  };
}
