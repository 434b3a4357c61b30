/**
 * Answers one slash command (jobs-reference §5.6), whichever transport brought it: finds the caller,
 * loads their trades, replies ephemerally within Discord's 3-second window, or defers and follows up
 * when the database is slow. Counts `worker.discord.commands{command,outcome}` and logs one line.
 */
import { ApplicationCommandOptionType, MessageFlags, type APIInteractionResponseCallbackData } from 'discord-api-types/v10';
import type { Logger } from 'pino';
import type { OwnerDb } from '../../../db/database.ts';
import { countDiscordCommand } from '../../../telemetry/discord-metrics.ts';
import type { CommandInteraction, CommandOutcome, CommandResponder } from './command-responder.ts';
import { isCommandName, type CommandName } from './definitions.ts';
import { listTitle, tradeListEmbed } from './list-embed.ts';
import { findCaller, loadTradeList, type TradeListFilter } from './trade-list.ts';

export interface RunCommandDeps {
  /** The production target's database: the caller and their trades live there (§5.6). */
  readonly db: OwnerDb;
  /** The production frontend's origin, for the links; '' for none. */
  readonly frontendOrigin: string;
  /** How long the work may take before the reply is deferred (config DISCORD_COMMAND_DEFER_MS). */
  readonly deferAfterMs: number;
  readonly log: Logger;
}

export const UNKNOWN_COMMAND = 'Unknown command.';
export const NOT_LINKED = "Your Discord account isn't linked to a TradeMachine account.";
export const NO_TEAM = "You don't have a team assigned in TradeMachine.";
export const APOLOGY = "Sorry, your trades couldn't be loaded just now. Please try again in a moment.";

/** Every answer is ephemeral: only the caller sees it. */
function ephemeral(data: Omit<APIInteractionResponseCallbackData, 'flags'>): APIInteractionResponseCallbackData {
  return { ...data, flags: MessageFlags.Ephemeral };
}

interface Answer {
  readonly data: APIInteractionResponseCallbackData;
  /** The outcome when the answer goes out in time; a list answered after a defer is `deferred`. */
  readonly outcome: 'replied' | 'not_linked' | 'no_team';
}

/** The `status` option of /trade-history; absent or unknown means all. */
function filterOf(interaction: CommandInteraction): TradeListFilter {
  const option = interaction.data.options?.find((o) => o.name === 'status');
  const value = option?.type === ApplicationCommandOptionType.String ? option.value : undefined;
  return value === 'active' || value === 'closed' ? value : 'all';
}

async function answer(command: CommandName, interaction: CommandInteraction, deps: RunCommandDeps): Promise<Answer> {
  const discordUserId = interaction.member?.user.id ?? interaction.user?.id;
  const caller = discordUserId === undefined ? undefined : await findCaller(deps.db, discordUserId);
  if (!caller) return { data: ephemeral({ content: NOT_LINKED }), outcome: 'not_linked' };
  if (caller.teamId === null) return { data: ephemeral({ content: NO_TEAM }), outcome: 'no_team' };
  const filter = command === 'my-trades' ? 'active' : filterOf(interaction);
  const list = await loadTradeList(deps.db, caller.teamId, filter);
  return { data: ephemeral({ embeds: [tradeListEmbed(listTitle(command, filter), list, caller.teamId, deps.frontendOrigin)] }), outcome: 'replied' };
}

const TIMED_OUT = Symbol('timed out');

/**
 * Answers the interaction through `responder` and says how it ended. Never throws: a failure is
 * logged, answered with an apology when Discord can still take one, and counted as `failed`.
 */
export async function runCommand(interaction: CommandInteraction, responder: CommandResponder, deps: RunCommandDeps): Promise<CommandOutcome> {
  const started = performance.now();
  const name = interaction.data.name;
  const command = isCommandName(name) ? name : undefined;
  let outcome: CommandOutcome = 'failed';
  let deferred = false;
  try {
    if (command === undefined) {
      await responder.reply(ephemeral({ content: UNKNOWN_COMMAND }));
      outcome = 'unknown_command';
      return outcome;
    }
    const work = answer(command, interaction, deps);
    // Observed now, so a failure that loses the race is never an unhandled rejection.
    work.catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(resolve, deps.deferAfterMs, TIMED_OUT)));
    let first: Answer | typeof TIMED_OUT;
    try {
      first = await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
    }
    if (first !== TIMED_OUT) {
      await responder.reply(first.data);
      outcome = first.outcome;
      return outcome;
    }
    await responder.defer();
    deferred = true;
    const late = await work;
    await responder.followUp(late.data);
    outcome = late.outcome === 'replied' ? 'deferred' : late.outcome;
    return outcome;
  } catch (error) {
    outcome = 'failed';
    deps.log.error({ err: error, command: command ?? 'unknown', deferred }, 'slash command failed');
    // The apology goes where the answer would have: a follow-up after a defer, else the reply
    // (which fails too if the reply itself was what failed; nothing more can be done then).
    await (deferred ? responder.followUp(ephemeral({ content: APOLOGY })) : responder.reply(ephemeral({ content: APOLOGY }))).catch((apologyError: unknown) =>
      deps.log.warn({ err: apologyError, command: command ?? 'unknown' }, 'slash command apology not delivered'),
    );
    return outcome;
  } finally {
    countDiscordCommand(command ?? 'unknown', outcome);
    const durationMs = Math.round(performance.now() - started);
    if (outcome !== 'failed') deps.log.info({ command: command ?? 'unknown', outcome, durationMs }, 'slash command answered');
  }
}
