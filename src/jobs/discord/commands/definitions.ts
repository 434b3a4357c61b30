/**
 * The guild slash commands as Discord registers them (jobs-reference §5.6, with the §5.7 fix:
 * `my-trades` says what it lists). `npm run discord:commands` puts exactly these.
 */
import { SlashCommandBuilder } from '@discordjs/builders';
import type { RESTPostAPIApplicationGuildCommandsJSONBody } from 'discord-api-types/v10';

/** The commands this worker answers; a name never changes once shipped (members' clients cache them). */
export const COMMAND_NAMES = ['my-trades', 'trade-history'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export function isCommandName(name: string): name is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(name);
}

export const myTradesCommand: RESTPostAPIApplicationGuildCommandsJSONBody = new SlashCommandBuilder()
  .setName('my-trades')
  .setDescription('Your requested, pending and accepted trades')
  .toJSON();

export const tradeHistoryCommand: RESTPostAPIApplicationGuildCommandsJSONBody = new SlashCommandBuilder()
  .setName('trade-history')
  .setDescription('Your last 5 trades (see the web app for more)')
  .addStringOption((option) =>
    option
      .setName('status')
      .setDescription('Filter by status (default: all)')
      .setRequired(false)
      .addChoices({ name: 'Active', value: 'active' }, { name: 'Closed', value: 'closed' }, { name: 'All', value: 'all' }),
  )
  .toJSON();

/** Both, in the order they are registered. */
export const commandDefinitions: readonly RESTPostAPIApplicationGuildCommandsJSONBody[] = [myTradesCommand, tradeHistoryCommand];
