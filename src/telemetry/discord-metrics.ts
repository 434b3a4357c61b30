import { lazyInstruments } from './instruments.ts';

/** Which Discord message a job posts: the trade announcement, or one of the three trade DMs. */
export type DiscordMessageKind = 'announcement' | 'dm_request' | 'dm_submit' | 'dm_declined';

/**
 * sent: Discord accepted a new post; already_sent: the durable record (or Discord's nonce) showed it
 * was posted before, so nothing new went out; skipped: not posted on purpose (settings, no id);
 * failed: Discord refused or could not be reached.
 */
export type DiscordMessageOutcome = 'sent' | 'already_sent' | 'skipped' | 'failed';

/** A notification channel a user's settings gate. */
export type NotificationChannel = 'discord_dm' | 'email';

/** Seconds the REST client waited for a rate limit: from Discord's 50 ms resets to a minute-long global lock. */
export const discordRateLimitWaitBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

const instruments = lazyInstruments((meter) => ({
  messages: meter.createCounter('worker.discord.messages', { description: 'Discord messages the jobs handled, by kind and outcome' }),
  skipped: meter.createCounter('worker.notifications.skipped', {
    description: 'Notifications not sent on purpose (user settings, no address or id), by channel and reason',
  }),
  rateLimitWait: meter.createHistogram('worker.discord.rate_limit.wait', {
    description: 'Waits the Discord REST client took for a rate limit, in seconds, by whether the limit was the global one',
    unit: 's',
    advice: { explicitBucketBoundaries: discordRateLimitWaitBuckets },
  }),
  gatewayConnected: meter.createGauge('worker.discord.gateway.connected', {
    description: 'Whether this process has a live Discord Gateway session (1) or not (0)',
  }),
  gatewayLeader: meter.createGauge('worker.discord.gateway.leader', {
    description: 'Whether this process holds the Gateway leader lock (1) or not (0): one process across the workers should',
  }),
  gatewayReconnects: meter.createCounter('worker.discord.gateway.reconnects', {
    description: 'Times the Gateway connection came back (resumed or identified again) after it was lost',
  }),
}));

/** Counts one Discord message a job handled. */
export function countDiscordMessage(kind: DiscordMessageKind, outcome: DiscordMessageOutcome): void {
  instruments().messages.add(1, { kind, outcome });
}

/**
 * Counts a notification skipped on purpose. `reason` must come from a fixed set the caller owns
 * (e.g. `dm_disabled`, `no_discord_id`, `email_disabled`): it becomes a label, so never an id or text.
 */
export function countNotificationSkipped(channel: NotificationChannel, reason: string): void {
  instruments().skipped.add(1, { channel, reason });
}

/**
 * Records one rate-limit wait of the Discord REST client, in seconds. Labelled only by `global`:
 * the route and its ids (channel, user) never become labels.
 */
export function recordDiscordRateLimitWait(seconds: number, global: boolean): void {
  if (!Number.isFinite(seconds) || seconds < 0) return;
  instruments().rateLimitWait.record(seconds, { global: global ? 'true' : 'false' });
}

/** Whether this process's Gateway session is up (READY or RESUMED received, not closed since). */
export function setDiscordGatewayConnected(connected: boolean): void {
  instruments().gatewayConnected.record(connected ? 1 : 0);
}

/** Whether this process holds the Gateway leader lock. */
export function setDiscordGatewayLeader(leader: boolean): void {
  instruments().gatewayLeader.record(leader ? 1 : 0);
}

/** Counts one return of the Gateway connection after it was lost (a resume or a new identify). */
export function countDiscordGatewayReconnect(): void {
  instruments().gatewayReconnects.add(1);
}

/** A slash command as a metric label: one of the commands, or `unknown` for any other name. */
export type DiscordCommandLabel = 'my-trades' | 'trade-history' | 'unknown';

/** How a slash command ended (the CommandOutcome of src/jobs/discord/commands/command-responder.ts). */
export type DiscordCommandOutcome = 'replied' | 'deferred' | 'unknown_command' | 'not_linked' | 'no_team' | 'failed';

const commandInstruments = lazyInstruments((meter) => ({
  commands: meter.createCounter('worker.discord.commands', { description: 'Slash commands answered, by command and outcome' }),
}));

/** Counts one slash command the worker handled. */
export function countDiscordCommand(command: DiscordCommandLabel, outcome: DiscordCommandOutcome): void {
  commandInstruments().commands.add(1, { command, outcome });
}
