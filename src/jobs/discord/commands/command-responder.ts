/**
 * The seam between the slash commands and their two transports (issue 11): the Gateway and the
 * HTTP interactions endpoint each give a command a responder; the command never knows which.
 */
import type { APIChatInputApplicationCommandInteraction, APIInteractionResponseCallbackData } from 'discord-api-types/v10';

/** How a command answers its interaction. Every answer is ephemeral (flags 64): the transport adds nothing. */
export interface CommandResponder {
  /** The answer, within Discord's 3-second window (an interaction response of type 4). */
  reply(data: APIInteractionResponseCallbackData): Promise<void>;
  /** "Thinking…" within the window (type 5, ephemeral); the answer follows through `followUp`. */
  defer(): Promise<void>;
  /** The answer after `defer`: replaces the deferred response (PATCH …/messages/@original). */
  followUp(data: APIInteractionResponseCallbackData): Promise<void>;
}

/** A chat-input command interaction, as both transports receive it. */
export type CommandInteraction = APIChatInputApplicationCommandInteraction;

/** How a command ended, for the metric `worker.discord.commands{command,outcome}` and the logs. */
export type CommandOutcome = 'replied' | 'deferred' | 'unknown_command' | 'not_linked' | 'no_team' | 'failed';
