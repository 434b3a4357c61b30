import type { OwnerDb } from '../../db/database.ts';

/**
 * Records a sent message in the owner's `email` table, keyed by the provider's id, which the
 * delivery webhooks later update. A retry that finds the row already there leaves it alone.
 */
export async function recordSentEmail(db: OwnerDb, messageId: string, tradeId: string | null): Promise<void> {
  await db
    .insertInto('email')
    .values({ messageId, status: 'sent', tradeId })
    .onConflict((conflict) => conflict.column('messageId').doNothing())
    .execute();
}
