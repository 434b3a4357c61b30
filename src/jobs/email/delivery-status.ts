import { sql, type RawBuilder } from 'kysely';

/**
 * The order a message's delivery events can be seen in, Brevo's and Mailgun's vocabularies side by
 * side. `email.status` keeps the provider's event string (the owner reads it verbatim); this rank
 * only decides whether a new event may replace the stored one: a higher rank wins, so a late
 * `delivered` never overwrites `opened`, and a final state (bounce, block, complaint, invalid
 * address, permanent failure) is never left. Strings not listed rank 0: stored only on a new row.
 */
export const deliveryRanks = {
  /** email.send's own mark once the provider accepted the message. */
  sent: 10,
  // Brevo: the API accepted it; Mailgun: accepted for delivery.
  request: 10,
  accepted: 10,
  // Not delivered yet, may still be: Brevo deferred / soft bounce / send error, Mailgun temporary failure.
  deferred: 20,
  soft_bounce: 20,
  error: 20,
  temporary_fail: 20,
  /** Mailgun `failed` without a severity: treated as temporary, so a later delivery can still show. */
  failed: 20,
  delivered: 30,
  opened: 40,
  unique_opened: 40,
  proxy_open: 40,
  click: 50,
  clicked: 50,
  unsubscribed: 60,
  // Final: never left, whatever arrives later.
  hard_bounce: 100,
  invalid_email: 100,
  blocked: 100,
  spam: 100,
  complained: 100,
  permanent_fail: 100,
} as const satisfies Record<string, number>;

/** Rank of an event string the table does not know: lowest, below `sent`. */
export const UNKNOWN_EVENT_RANK = 0;
/** Ranks at or above this are final states. */
export const FINAL_RANK = 100;

export type KnownDeliveryEvent = keyof typeof deliveryRanks;

const rankEntries = Object.entries(deliveryRanks) as [KnownDeliveryEvent, number][];

export function isKnownEvent(event: string): event is KnownDeliveryEvent {
  return Object.hasOwn(deliveryRanks, event);
}

/** The rank of a stored or incoming status, as the SQL below computes it. */
export function rankOf(status: string): number {
  return isKnownEvent(status) ? deliveryRanks[status] : UNKNOWN_EVENT_RANK;
}

export function isFinal(status: string): boolean {
  return rankOf(status) >= FINAL_RANK;
}

/** The same table as a SQL CASE over `column`, so the database ranks the stored status under its row lock. */
export function sqlRankOf(column: RawBuilder<unknown>): RawBuilder<number> {
  const whens = rankEntries.map(([status, rank]) => sql`WHEN ${status} THEN ${sql.lit(rank)}`);
  return sql<number>`(CASE ${column} ${sql.join(whens, sql` `)} ELSE ${sql.lit(UNKNOWN_EVENT_RANK)} END)`;
}

/**
 * The event string Mailgun's `failed` is stored as: Mailgun's own webhook names for the two
 * severities, since only a permanent failure is final.
 */
export function mailgunEvent(event: string, severity: string | undefined): string {
  if (event !== 'failed') return event;
  if (severity === 'permanent') return 'permanent_fail';
  if (severity === 'temporary') return 'temporary_fail';
  return 'failed';
}
