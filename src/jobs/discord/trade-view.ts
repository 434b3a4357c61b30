/**
 * A trade as the Discord messages show it (jobs-reference §5.3, §5.4): its teams with their owners,
 * and each traded item with who sends and who receives it. Loaded once per job from the target
 * (load-trade-view.ts); the embeds (embeds/) are pure functions of it.
 */

/** `trade_status_enum`: 1 draft, 2 requested, 3 pending, 4 accepted, 5 rejected, 6 submitted. */
export type TradeStatusLabel = '1' | '2' | '3' | '4' | '5' | '6';

/** `draft_pick_type_enum`: 1 majors, 2 high minors, 3 low minors (§5.7: the labels, not words). */
export type PickTypeLabel = '1' | '2' | '3';

export interface TradeOwner {
  readonly userId: string;
  readonly displayName: string | null;
  readonly csvName: string | null;
  /** Trimmed; null when blank. Not validated here: the DM job checks it is a snowflake. */
  readonly discordUserId: string | null;
}

export interface TradeTeam {
  readonly id: string;
  readonly name: string;
  /**
   * How the league calls the team (§5.4 "CSV labels"): the first non-blank `csvName` of its users
   * by user id, else the team's name.
   */
  readonly label: string;
  /** Its users, by user id. */
  readonly owners: readonly TradeOwner[];
}

export interface TradeParticipant {
  readonly team: TradeTeam;
  readonly role: 'creator' | 'recipient';
}

interface ItemBase {
  /** `trade_item.id`, for stable order. */
  readonly id: string;
  /** Team ids; null when the row lost its team (set null on delete). */
  readonly senderTeamId: string | null;
  readonly recipientTeamId: string | null;
}

export interface MajorItem extends ItemBase {
  readonly kind: 'major';
  /** Null when the player row is gone ("Unknown Player", §5.3). */
  readonly name: string | null;
  readonly mlbTeam: string | null;
  readonly position: string | null;
}

export interface MinorItem extends ItemBase {
  readonly kind: 'minor';
  readonly name: string | null;
  /** The sheet's MLB organisation. */
  readonly mlbTeam: string | null;
  readonly position: string | null;
  /** `HM` / `LM` (or `High` / `Low`) from the sheet; anything else is shown as plain "Minors". */
  readonly level: string | null;
}

export interface PickItem extends ItemBase {
  readonly kind: 'pick';
  /** Null when the pick row is gone ("Unknown", round 0, §5.3). */
  readonly type: PickTypeLabel | null;
  /** A whole number in practice; `numeric` in the database, so it may come as "1" or "1.0". */
  readonly round: number | null;
  readonly season: number | null;
  readonly originalOwnerTeamId: string | null;
}

export type TradeItemView = MajorItem | MinorItem | PickItem;

export interface TradeView {
  readonly id: string;
  readonly status: TradeStatusLabel;
  readonly dateCreated: Date;
  /** When the trade was submitted; the uphold deadline is computed from it, so a retry shows the same one. */
  readonly submittedAt: Date | null;
  /** Creator first, then recipients, each in `trade_participant` order (by id). */
  readonly participants: readonly TradeParticipant[];
  /** Every team the trade names (participants, senders, recipients, picks' original owners), by id. */
  readonly teams: ReadonlyMap<string, TradeTeam>;
  /** Majors, then minors, then picks, each by item id. */
  readonly items: readonly TradeItemView[];
  /** The declining user's display name. */
  readonly decliningUser: string | null;
  readonly declinedReason: string | null;
}
