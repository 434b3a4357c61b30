import { pino } from 'pino';
import type { Config } from '../../src/config.ts';
import { openTargets, type Targets } from '../../src/db/targets.ts';
import { createClients, type Clients } from '../../src/jobs/clients.ts';
import type { RunnerDeps } from '../../src/jobs/runner.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { testSideEffects } from './side-effects.ts';
import { testConfig } from './test-config.ts';

/** What a job test runs jobs inline with: a fresh database, its config, pools and clients. */
export interface JobHarness {
  readonly database: TestDatabase;
  readonly config: Config;
  readonly targets: Targets;
  readonly clients: Clients;
  readonly deps: RunnerDeps;
  /** Closes the clients and pools, then drops the database. */
  close(): Promise<void>;
}

/** A fresh database (the owner's schema) and the runner's real dependencies for it, configured by `env`. */
export async function openJobHarness(env: Record<string, string>): Promise<JobHarness> {
  const database = await createTestDatabase();
  const config = testConfig(database.url, env);
  const log = pino({ level: 'silent' });
  const targets = openTargets(config.targets, 2);
  const clients = createClients(config, log);
  return {
    database,
    config,
    targets,
    clients,
    deps: { config, targets, clients, log, sideEffects: testSideEffects(targets.get('production').pool) },
    close: async () => {
      await clients.close();
      await targets.destroy();
      await database.drop();
    },
  };
}
