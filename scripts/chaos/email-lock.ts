/**
 * Holds `LOCK TABLE email IN ACCESS EXCLUSIVE MODE` (the owner's table where the worker records
 * each sent message) in a connection of its own, so jobs get stuck right after the provider
 * accepted their message: the window in which a fault can make a message go out twice.
 */
import pg from 'pg';
import { HARNESS_APPLICATION_NAME, withClient } from './cluster.ts';
import { sleep } from './context.ts';

export interface EmailLock {
  /** Waits until worker queries pile up on the lock and their number stops growing; returns it (0: none within the wait). */
  waitBlocked(maxWaitMs: number): Promise<number>;
  /** Ends the lock (idempotent; harmless when the server already cut the connection). */
  release(): Promise<void>;
}

/** Worker connections waiting on a lock right now. */
export async function blockedWorkerQueries(url: string): Promise<number> {
  return withClient(url, async (client) => {
    const result = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'trademachine-worker%' AND wait_event_type = 'Lock'`,
    );
    return result.rows[0]?.n ?? 0;
  });
}

export async function lockEmailTable(url: string): Promise<EmailLock> {
  const locker = new pg.Client({ connectionString: url, application_name: HARNESS_APPLICATION_NAME });
  // A PostgreSQL restart cuts this connection too, which also ends the lock.
  locker.on('error', () => {});
  await locker.connect();
  await locker.query('BEGIN');
  await locker.query('LOCK TABLE email IN ACCESS EXCLUSIVE MODE');
  let released = false;
  return {
    waitBlocked: async (maxWaitMs) => {
      let blocked = 0;
      let stableSince = performance.now();
      const until = performance.now() + maxWaitMs;
      while (performance.now() < until) {
        const now = await blockedWorkerQueries(url);
        if (now !== blocked) {
          blocked = now;
          stableSince = performance.now();
        } else if (blocked > 0 && performance.now() - stableSince > 700) {
          break;
        }
        await sleep(100);
      }
      return blocked;
    },
    release: async () => {
      if (released) return;
      released = true;
      await locker.query('ROLLBACK').catch(() => {});
      await locker.end().catch(() => {});
    },
  };
}
