/**
 * The slash commands in a running worker (issue 11), on the transport the configuration picks:
 * HTTP interactions when DISCORD_PUBLIC_KEY is set (a route on the worker's HTTP port, no Gateway),
 * else the Gateway, held by one worker process at a time (leader-lock.ts). Either way the same
 * `runCommand` answers, reading the production target.
 */
import type { Logger } from 'pino';
import type { Config } from '../../../config.ts';
import type { Targets } from '../../../db/targets.ts';
import type { RouteHandler } from '../../../http/server.ts';
import { createDiscordInteractionsHandler } from '../../../http/discord-interactions.ts';
import type { DiscordClient } from '../discord-client.ts';
import { startDiscordGateway, type DiscordGateway, type DiscordGatewayStatus } from '../gateway/gateway-commands.ts';
import type { CommandInteraction, CommandResponder } from './command-responder.ts';
import { runCommand } from './run-command.ts';

/** What /health and the console show of the commands. */
export type SlashCommandsState =
  | { readonly transport: 'off'; readonly reason: string }
  | { readonly transport: 'http'; readonly path: '/discord/interactions' }
  | ({ readonly transport: 'gateway' } & DiscordGatewayStatus);

export interface SlashCommands {
  /** The HTTP route of the interactions transport; none on the Gateway or when off. */
  readonly routes: readonly RouteHandler[];
  state(): SlashCommandsState;
  stop(): Promise<void>;
}

function offReason(settings: Config['discord']): string {
  if (!settings.botToken) return 'DISCORD_BOT_TOKEN is not set';
  if (!settings.commands.applicationId) return 'DISCORD_APPLICATION_ID is not set';
  if (!settings.commands.guildId) return 'DISCORD_GUILD_ID is not set';
  return 'DISCORD_COMMANDS_ENABLED=false';
}

export function startSlashCommands(config: Config, deps: { readonly client: DiscordClient; readonly targets: Targets; readonly log: Logger }): SlashCommands {
  const settings = config.discord.commands;
  const log = deps.log.child({ component: 'discord-commands' });
  if (!settings.enabled || settings.applicationId === undefined) {
    const reason = offReason(config.discord);
    log.info({ reason }, 'slash commands off');
    return { routes: [], state: () => ({ transport: 'off', reason }), stop: async () => {} };
  }
  const applicationId = settings.applicationId;
  const dispatch = (interaction: CommandInteraction, responder: CommandResponder) =>
    runCommand(interaction, responder, {
      db: deps.targets.get('production').db,
      frontendOrigin: config.email.frontendOrigin,
      deferAfterMs: settings.deferAfterMs,
      log,
    });
  if (settings.transport === 'http' && settings.publicKey !== undefined) {
    const route = createDiscordInteractionsHandler({
      publicKey: settings.publicKey,
      applicationId,
      editOriginal: (token, data) => deps.client.editOriginalResponse(applicationId, token, data),
      dispatch,
      log,
    });
    log.info('slash commands over HTTP interactions at POST /discord/interactions; no Gateway connection');
    return { routes: [route], state: () => ({ transport: 'http', path: '/discord/interactions' }), stop: async () => {} };
  }
  const gateway: DiscordGateway = startDiscordGateway(config, { client: deps.client, dispatch, log });
  return { routes: [], state: () => ({ transport: 'gateway', ...gateway.state() }), stop: () => gateway.stop() };
}
