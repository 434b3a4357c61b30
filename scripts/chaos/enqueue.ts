/**
 * Plays the owner: enqueues `email.send` test emails through pg-boss, with ids chosen here so the
 * harness knows exactly which jobs it is owed.
 */
import { randomUUID } from 'node:crypto';
import { PgBoss } from 'pg-boss';
import { HARNESS_APPLICATION_NAME } from './cluster.ts';

export const EMAIL_JOB = 'email.send';
export const EMAIL_DEAD_LETTER = 'email.send.dead';

export interface Enqueuer {
  /** Every id enqueued so far, in order. */
  readonly ids: readonly string[];
  /** Which phase each job was enqueued in. */
  readonly phaseOf: ReadonlyMap<string, string>;
  enqueue(count: number, phase: string): Promise<string[]>;
  close(): Promise<void>;
}

/** A pg-boss client that only inserts (no supervision, no schedules, no migrations: the worker owns those). */
export async function createEnqueuer(url: string, userId: string, onError: (error: unknown) => void): Promise<Enqueuer> {
  const boss = new PgBoss({
    connectionString: url,
    schema: 'pgboss',
    application_name: HARNESS_APPLICATION_NAME,
    supervise: false,
    schedule: false,
    migrate: false,
    createSchema: false,
    max: 2,
  });
  boss.on('error', onError);
  await boss.start();
  const ids: string[] = [];
  const phaseOf = new Map<string, string>();
  return {
    ids,
    phaseOf,
    enqueue: async (count, phase) => {
      if (count <= 0) return [];
      const batch = Array.from({ length: count }, () => ({ id: randomUUID(), data: { type: 'test', userId } }));
      await boss.insert(EMAIL_JOB, batch);
      for (const job of batch) {
        ids.push(job.id);
        phaseOf.set(job.id, phase);
      }
      return batch.map((job) => job.id);
    },
    close: () => boss.stop({ graceful: false, close: true }),
  };
}
