import type { OwnerDb } from '../db/database.ts';
import { isUuid } from './discord/load-trade-view.ts';

/** `user."userSettings"` as the jobs use it (jobs-reference §5.2), every field resolved. */
export interface UserSettings {
  readonly schemaVersion: number;
  readonly settingsUpdatedAt: string | null;
  readonly notifications: {
    readonly tradeActionDiscordDm: boolean;
    readonly tradeActionEmail: boolean;
  };
}

/** §5.2 defaults: email on, Discord DMs off until the user turns them on. */
export const defaultUserSettings: UserSettings = Object.freeze({
  schemaVersion: 1,
  settingsUpdatedAt: null,
  notifications: Object.freeze({ tradeActionDiscordDm: false, tradeActionEmail: true }),
});

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The stored JSON resolved field by field (§5.2): a field that is missing, null or of the wrong
 * type takes its default alone, so one bad field never resets the user's other choices (the owner's
 * zod parse falls back to defaults for all of them; the Elixir worker, like this, did not).
 */
export function normaliseUserSettings(raw: unknown): UserSettings {
  if (!isRecord(raw)) return defaultUserSettings;
  const notifications = isRecord(raw['notifications']) ? raw['notifications'] : {};
  const flag = (value: unknown, fallback: boolean): boolean => (typeof value === 'boolean' ? value : fallback);
  const version = raw['schemaVersion'];
  const updatedAt = raw['settingsUpdatedAt'];
  return {
    schemaVersion: typeof version === 'number' && Number.isInteger(version) ? version : defaultUserSettings.schemaVersion,
    settingsUpdatedAt: typeof updatedAt === 'string' ? updatedAt : null,
    notifications: {
      tradeActionDiscordDm: flag(notifications['tradeActionDiscordDm'], defaultUserSettings.notifications.tradeActionDiscordDm),
      tradeActionEmail: flag(notifications['tradeActionEmail'], defaultUserSettings.notifications.tradeActionEmail),
    },
  };
}

/** The user a trade notification goes to, with the settings that decide whether it is sent. */
export interface NotificationTarget {
  readonly userId: string;
  readonly email: string;
  readonly displayName: string | null;
  /** Trimmed; null when blank. Not validated here: discordDmDecision checks it is a snowflake. */
  readonly discordUserId: string | null;
  readonly settings: UserSettings;
}

/** Reads the recipient of a notification; undefined when no user has that id (a non-UUID id included). */
export async function loadNotificationTarget(db: OwnerDb, userId: string): Promise<NotificationTarget | undefined> {
  if (!isUuid(userId)) return undefined;
  const row = await db
    .selectFrom('user')
    .select(['id', 'email', 'displayName', 'discordUserId', 'userSettings'])
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!row) return undefined;
  const discordUserId = row.discordUserId?.trim() ?? '';
  return {
    userId: row.id,
    email: row.email,
    displayName: row.displayName,
    discordUserId: discordUserId === '' ? null : discordUserId,
    settings: normaliseUserSettings(row.userSettings),
  };
}

/** A Discord user id: a snowflake, 17 to 20 digits. */
const SNOWFLAKE = /^\d{17,20}$/;

export type DiscordDmDecision =
  | { readonly send: true; readonly discordUserId: string }
  | { readonly send: false; readonly reason: 'no_discord_user_id' | 'invalid_discord_user_id' | 'dm_disabled' };

/**
 * Whether a trade DM may go to this user (§5.2, §5.4): they have a Discord id and turned DMs on,
 * and the id is a snowflake. The user's own choice is reported before a malformed id, as the
 * previous worker's gate ran before its snowflake check.
 */
export function discordDmDecision(user: {
  readonly discordUserId: string | null;
  readonly settings: { readonly notifications: { readonly tradeActionDiscordDm: boolean } };
}): DiscordDmDecision {
  const discordUserId = user.discordUserId?.trim() ?? '';
  if (discordUserId === '') return { send: false, reason: 'no_discord_user_id' };
  if (!user.settings.notifications.tradeActionDiscordDm) return { send: false, reason: 'dm_disabled' };
  if (!SNOWFLAKE.test(discordUserId)) return { send: false, reason: 'invalid_discord_user_id' };
  return { send: true, discordUserId };
}

export type TradeEmailDecision = { readonly send: true } | { readonly send: false; readonly reason: 'email_disabled' };

/** Whether a trade email may go to this user: only their setting decides (on unless turned off). */
export function tradeEmailDecision(settings: { readonly notifications: { readonly tradeActionEmail: boolean } }): TradeEmailDecision {
  return settings.notifications.tradeActionEmail ? { send: true } : { send: false, reason: 'email_disabled' };
}
