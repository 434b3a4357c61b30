/**
 * One poll of one target: claim due rows, translate them, and enqueue each into pg-boss exactly
 * once, all in one transaction of the target's database. The job id is derived from target and row
 * id (job-id.ts), so a row enqueued twice (a crash after the send but before the commit, on a
 * target whose database is not the queue's) is still one job. Where the queue shares the
 * target's database the send goes through the claim's transaction (pg-boss `send(…, { db })`), so a
 * crash anywhere before the commit undoes both.
 */
import type pg from 'pg';
import type { Db, SendOptions } from 'pg-boss';
import { claimRows, discardRows, releaseRows, type ClaimOptions, type ClaimedRow } from './claim.ts';
import { inboxJobId } from './job-id.ts';
import { loadResetTokens } from './reset-tokens.ts';
import { translateObanRow, type TargetName, type Translated } from './translate.ts';

/** One target's `oban_jobs`, as the inbox sees it. */
export interface InboxTarget {
  readonly name: TargetName;
  /** The target's pool; its search_path is the owner schema holding `oban_jobs`. */
  readonly pool: pg.Pool;
  /** The queue's schema lives in this target's database: enqueue inside the claim's transaction. */
  readonly sharesQueueDatabase: boolean;
}

/** pg-boss's `send`, or a stand-in in tests. */
export type SendJob = (name: string, data: object, options: SendOptions) => Promise<string | null>;

export interface EnqueueDeps {
  readonly send: SendJob;
  /** Whether a job of that id exists (a send that returned null: a duplicate, or refused by the queue's policy). */
  readonly jobExists: (id: string, db: Db | undefined) => Promise<boolean>;
  /** Each target's web-app origin, for the links the inbox builds. */
  readonly frontendOrigins: Readonly<Partial<Record<TargetName, string>>>;
  readonly maxPayloadBytes: number;
  /** Another target's pool, for a row whose `env` names it (reset tokens); undefined when not configured. */
  readonly poolOf: (target: TargetName) => pg.Pool | undefined;
  /** Seconds a row refused by its queue's policy waits before it is claimed again. */
  readonly releaseDelaySeconds: number;
  /** Test hook: runs just before the commit (a crash there must undo claim and enqueue). */
  readonly beforeCommit?: () => Promise<void>;
}

export interface EnqueuedRow {
  readonly rowId: number;
  readonly jobId: string;
  readonly job: string;
}

export interface PollResult {
  readonly enqueued: readonly EnqueuedRow[];
  readonly discarded: readonly { readonly rowId: number; readonly error: string }[];
  /** Rows handed back: refused for now by the queue's policy, or whose send failed. */
  readonly released: readonly number[];
}

/** pg-boss's database interface over one client (the claim's transaction). */
export function clientDatabase(client: pg.ClientBase): Db {
  return { executeSql: async (text, values) => client.query(text, values as unknown[]) };
}

/** Translates rows (reading reset tokens first); discards go to `discarded`. */
async function translateRows(
  rows: readonly ClaimedRow[],
  target: InboxTarget,
  deps: EnqueueDeps,
  client: pg.ClientBase,
): Promise<{ row: ClaimedRow; translation: Translated | { error: string } }[]> {
  const resetTokens = await loadResetTokens(rows, target.name, deps.poolOf, { target: target.name, client });
  return rows.map((row) => ({
    row,
    translation: translateObanRow(row, { rowTarget: target.name, frontendOrigins: deps.frontendOrigins, resetTokens, maxPayloadBytes: deps.maxPayloadBytes }),
  }));
}

/**
 * Sends each translated row's job under its derived id; each send in a savepoint, so one row whose
 * send fails is handed back without undoing the others.
 */
async function sendRows(
  translated: readonly { row: ClaimedRow; translation: Translated | { error: string } }[],
  target: InboxTarget,
  deps: EnqueueDeps,
  client: pg.ClientBase,
  log: (message: string, details: Record<string, unknown>) => void,
): Promise<PollResult> {
  const db = target.sharesQueueDatabase ? clientDatabase(client) : undefined;
  const enqueued: EnqueuedRow[] = [];
  const discarded: { rowId: number; error: string; attempt: number }[] = [];
  const released: number[] = [];
  for (const { row, translation } of translated) {
    if ('error' in translation) {
      discarded.push({ rowId: row.id, error: translation.error, attempt: row.attempt });
      continue;
    }
    const jobId = inboxJobId(target.name, row.id);
    await client.query('SAVEPOINT inbox_send');
    try {
      const sent = await deps.send(translation.job, translation.payload, { id: jobId, ...(db ? { db } : {}) });
      if (sent === null && !(await deps.jobExists(jobId, db))) {
        released.push(row.id);
        log('the queue refused the job for now (its policy); the row waits and is claimed again', { rowId: row.id, job: translation.job });
      } else {
        enqueued.push({ rowId: row.id, jobId, job: translation.job });
      }
      await client.query('RELEASE SAVEPOINT inbox_send');
    } catch (error) {
      await client.query('ROLLBACK TO SAVEPOINT inbox_send');
      released.push(row.id);
      log('enqueue failed; the row is handed back', { rowId: row.id, job: translation.job, err: error });
    }
  }
  await discardRows(client, discarded.map((entry) => ({ id: entry.rowId, attempt: entry.attempt, error: entry.error })));
  await releaseRows(client, released, deps.releaseDelaySeconds);
  return { enqueued, discarded: discarded.map(({ rowId, error }) => ({ rowId, error })), released };
}

/** Claims, translates and enqueues one batch of a target's due rows in one transaction. */
export async function pollTarget(
  target: InboxTarget,
  claim: ClaimOptions,
  deps: EnqueueDeps,
  log: (message: string, details: Record<string, unknown>) => void = () => {},
): Promise<PollResult> {
  const client = await target.pool.connect();
  try {
    await client.query('BEGIN');
    const rows = await claimRows(client, claim);
    if (rows.length === 0) {
      await client.query('COMMIT');
      return { enqueued: [], discarded: [], released: [] };
    }
    const translated = await translateRows(rows, target, deps, client);
    const result = await sendRows(translated, target, deps, client, log);
    await deps.beforeCommit?.();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Enqueues again rows left `executing` with no job (a target not sharing the queue's database, where
 * the process died after the claim's commit and before its send): same id, so never twice.
 */
export async function reenqueueRows(rows: readonly ClaimedRow[], target: InboxTarget, deps: EnqueueDeps): Promise<PollResult> {
  const client = await target.pool.connect();
  try {
    await client.query('BEGIN');
    const translated = await translateRows(rows, target, deps, client);
    const result = await sendRows(translated, target, deps, client, () => {});
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
