/**
 * The one database read translation needs: the users' `passwordResetToken`, from which the previous
 * worker built the reset link (`${FRONTEND_URL}/reset_password#token=…`).
 */
import { sql } from 'kysely';
import type pg from 'pg';
import { ownerSql, runQuery } from '../db/owner-sql.ts';
import { resetTokenKey, resetTokenNeeded, type ObanRowInput, type TargetName } from './translate.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Reads the tokens the rows' reset_password emails need, per target (a row's `env` may name the
 * other target). `poolOf` gives a target's pool, or undefined when that target is not configured.
 */
export async function loadResetTokens(
  rows: readonly ObanRowInput[],
  rowTarget: TargetName,
  poolOf: (target: TargetName) => pg.Pool | undefined,
  inTransaction?: { readonly target: TargetName; readonly client: pg.ClientBase },
): Promise<Map<string, string | null>> {
  const byTarget = new Map<TargetName, Set<string>>();
  for (const row of rows) {
    const need = resetTokenNeeded(row, rowTarget);
    if (!need || !UUID.test(need.userId)) continue;
    const ids = byTarget.get(need.target) ?? new Set<string>();
    ids.add(need.userId.toLowerCase());
    byTarget.set(need.target, ids);
  }
  const tokens = new Map<string, string | null>();
  for (const [target, ids] of byTarget) {
    const runner = inTransaction?.target === target ? inTransaction.client : poolOf(target);
    if (!runner) continue;
    const query = ownerSql
      .selectFrom('user')
      .select(['id', 'passwordResetToken as token'])
      .where('id', '=', sql<string>`any(${[...ids]}::uuid[])`);
    const { rows: users } = await runQuery(runner, query);
    const found = new Map(users.map((user) => [user.id, user.token]));
    for (const id of ids) tokens.set(resetTokenKey(target, id), found.get(id) ?? null);
  }
  return tokens;
}
