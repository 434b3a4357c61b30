/**
 * Counting what happened, from the three places that know: the queue's job table, the dev
 * mailbox folder (messages and the deliveries log) and the owner's `email` table.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { EMAIL_DEAD_LETTER, EMAIL_JOB } from './enqueue.ts';

export interface JobRow {
  readonly id: string;
  readonly state: string;
  readonly retryCount: number;
  readonly messageId: string | null;
}

/** The enqueued jobs as the queue sees them now, and which of them reached the dead-letter queue. */
export async function readJobs(client: pg.Client, ids: readonly string[]): Promise<{ jobs: Map<string, JobRow>; deadLettered: Set<string> }> {
  const jobs = new Map<string, JobRow>();
  const result = await client.query<{ id: string; state: string; retry_count: number; message_id: string | null }>(
    `SELECT id, state::text AS state, retry_count, output->>'messageId' AS message_id FROM pgboss.job WHERE name = $1 AND id = ANY($2::uuid[])`,
    [EMAIL_JOB, ids],
  );
  for (const row of result.rows) jobs.set(row.id, { id: row.id, state: row.state, retryCount: row.retry_count, messageId: row.message_id });
  const dead = await client.query<{ source_id: string }>(`SELECT source_id FROM pgboss.job WHERE name = $1 AND source_id = ANY($2::uuid[])`, [
    EMAIL_DEAD_LETTER,
    ids,
  ]);
  return { jobs, deadLettered: new Set(dead.rows.map((row) => row.source_id)) };
}

/** States from which pg-boss will still run the job. */
export const LIVE_STATES: ReadonlySet<string> = new Set(['created', 'retry', 'active']);

/** How many of `ids` are still live (not completed, failed for good or cancelled). */
export async function countLive(client: pg.Client, ids: readonly string[]): Promise<{ live: number; byState: Record<string, number> }> {
  const result = await client.query<{ state: string; n: number }>(
    `SELECT state::text AS state, count(*)::int AS n FROM pgboss.job WHERE name = $1 AND id = ANY($2::uuid[]) GROUP BY state`,
    [EMAIL_JOB, ids],
  );
  const byState: Record<string, number> = {};
  let seen = 0;
  for (const row of result.rows) {
    byState[row.state] = row.n;
    seen += row.n;
  }
  // A job the table no longer has is not live, but it is not done either: readJobs reports it as missing.
  const live = (byState.created ?? 0) + (byState.retry ?? 0) + (byState.active ?? 0);
  return { live, byState: { ...byState, ...(seen < ids.length ? { missing: ids.length - seen } : {}) } };
}

/** The owner's `email` rows. */
export async function readEmailRows(client: pg.Client): Promise<string[]> {
  const result = await client.query<{ messageId: string }>(`SELECT "messageId" FROM email`);
  return result.rows.map((row) => row.messageId);
}

export interface MailboxMessage {
  readonly file: string;
  readonly messageId: string;
  /** `email.send:<job id>` when the worker passes an idempotency key. */
  readonly idempotencyKey: string | undefined;
  /** Epoch ms from the file name. */
  readonly storedAt: number;
}

export interface Delivery {
  readonly key: string;
  readonly messageId: string;
  readonly at: number;
  readonly repeat: boolean;
}

export interface Mailbox {
  readonly messages: MailboxMessage[];
  /** undefined when the mailbox keeps no deliveries log (older worker). */
  readonly deliveries: Delivery[] | undefined;
}

/** Reads every stored message and the deliveries log of the dev mailbox folder. */
export async function readMailbox(dir: string): Promise<Mailbox> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  const messages: MailboxMessage[] = [];
  for (const name of names) {
    const match = /^(\d{13})-.+\.json$/.exec(name);
    if (!match?.[1]) continue;
    const stored = JSON.parse(await readFile(path.join(dir, name), 'utf8')) as { messageId?: unknown; idempotencyKey?: unknown };
    messages.push({
      file: name,
      messageId: String(stored.messageId),
      idempotencyKey: typeof stored.idempotencyKey === 'string' ? stored.idempotencyKey : undefined,
      storedAt: Number(match[1]),
    });
  }
  let deliveries: Delivery[] | undefined;
  const log = await readFile(path.join(dir, 'deliveries.jsonl'), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (log !== undefined) {
    deliveries = [];
    for (const line of log.split('\n')) {
      if (!line.trim()) continue;
      const entry = JSON.parse(line) as { key?: unknown; messageId?: unknown; at?: unknown; repeat?: unknown };
      deliveries.push({ key: String(entry.key), messageId: String(entry.messageId), at: Date.parse(String(entry.at)), repeat: entry.repeat === true });
    }
  }
  return { messages, deliveries };
}

/** How many messages the mailbox holds right now (cheap: file names only). */
export async function countMailboxFiles(dir: string): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((name) => name.endsWith('.json')).length;
}

/** The idempotency key the worker derives from a job. */
export function keyOf(jobId: string): string {
  return `${EMAIL_JOB}:${jobId}`;
}

/** For a run that gave up waiting: the live jobs by state and attempt, with the last error each group saw. */
export async function describeLive(client: pg.Client, ids: readonly string[]): Promise<string[]> {
  const result = await client.query<{ state: string; retry_count: number; n: number; error: string | null; oldest: string | null }>(
    `SELECT state::text AS state, retry_count, count(*)::int AS n,
            max(output->'error'->>'message') AS error,
            to_char(min(started_on), 'HH24:MI:SS') AS oldest
       FROM pgboss.job WHERE name = $1 AND id = ANY($2::uuid[]) AND state IN ('created', 'retry', 'active')
      GROUP BY 1, 2 ORDER BY 1, 2`,
    [EMAIL_JOB, ids],
  );
  return result.rows.map(
    (row) =>
      `${row.n} ${row.state} after ${row.retry_count} retries${row.oldest ? `, started ${row.oldest}` : ''}${row.error ? `; last error: ${row.error.slice(0, 200)}` : ''}`,
  );
}
