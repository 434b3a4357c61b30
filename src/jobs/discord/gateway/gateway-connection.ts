/**
 * The slash commands over Discord's Gateway (issue 11): one shard through the official
 * @discordjs/ws (identify, heartbeats, resume and reconnects are the library's), the interactions
 * handed to the commands with a responder that answers over REST. It never registers commands:
 * that is `npm run discord:commands`' job.
 */
import { Encoding, WebSocketManager, WebSocketShardEvents, type SessionInfo } from '@discordjs/ws';
import type { REST } from '@discordjs/rest';
import {
  ApplicationCommandType,
  GatewayDispatchEvents,
  GatewayIntentBits,
  InteractionResponseType,
  InteractionType,
  MessageFlags,
  Routes,
  type APIInteractionResponseCallbackData,
} from 'discord-api-types/v10';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { countDiscordGatewayReconnect, setDiscordGatewayConnected } from '../../../telemetry/discord-metrics.ts';
import type { CommandInteraction, CommandResponder } from '../commands/command-responder.ts';
import type { DiscordClient } from '../discord-client.ts';

/** The only intent the slash commands need (interactions arrive whatever the intents; Guilds keeps the session minimal). */
export const GATEWAY_COMMAND_INTENTS = GatewayIntentBits.Guilds;

/** Runs one command; the transport waits for nothing it resolves to. */
export type CommandDispatch = (interaction: CommandInteraction, responder: CommandResponder) => Promise<unknown>;

export interface GatewayCommandsOptions {
  readonly token: string;
  readonly client: DiscordClient;
  /** Default: GATEWAY_COMMAND_INTENTS (Guilds, 1). */
  readonly intents?: number;
  readonly dispatch: CommandDispatch;
  readonly log: Logger;
  /** Wait between attempts when the first connection fails (GET /gateway/bot or the socket), in ms. Default: 5000. */
  readonly retryMs?: number;
}

export interface GatewayState {
  /** A session is up: READY or RESUMED received, and the socket not closed since. */
  readonly connected: boolean;
  /** New sessions (READY) this connection identified. */
  readonly sessions: number;
  /** Times the connection came back after it was lost (a resume, or a new identify after the first). */
  readonly reconnects: number;
  /** Of those, the resumes (RESUMED). */
  readonly resumes: number;
  /** The last close code the socket got, if any. */
  readonly lastCloseCode: number | undefined;
}

export interface GatewayCommands {
  state(): GatewayState;
  /** Closes the session (code 1000: Discord forgets it, so the next leader identifies anew). */
  stop(): Promise<void>;
}

/** The responder of one Gateway interaction: every answer goes over REST and is ephemeral. */
export function restResponder(client: DiscordClient, interaction: Pick<CommandInteraction, 'id' | 'token' | 'application_id'>): CommandResponder {
  const ephemeral = (data: APIInteractionResponseCallbackData): APIInteractionResponseCallbackData => ({ ...data, flags: (data.flags ?? 0) | MessageFlags.Ephemeral });
  return {
    reply: (data) => client.createInteractionResponse(interaction.id, interaction.token, { type: InteractionResponseType.ChannelMessageWithSource, data: ephemeral(data) }),
    defer: () =>
      client.createInteractionResponse(interaction.id, interaction.token, {
        type: InteractionResponseType.DeferredChannelMessageWithSource,
        data: { flags: MessageFlags.Ephemeral },
      }),
    followUp: (data) => client.editOriginalResponse(interaction.application_id, interaction.token, data),
  };
}

export function startGatewayCommands(options: GatewayCommandsOptions): GatewayCommands {
  const { client, dispatch, log } = options;
  const retryMs = options.retryMs ?? 5000;
  let connected = false;
  let sessions = 0;
  let reconnects = 0;
  let resumes = 0;
  let lastCloseCode: number | undefined;
  let everUp = false;
  const stopping = new AbortController();

  // This manager's own session store: the library's default is one per process, which a second
  // manager in the same process (a new leader term) would wrongly resume from.
  const sessionsByShard = new Map<number, SessionInfo>();
  // Only GET /gateway/bot is asked of `rest`: through the worker's client (its token, its limits).
  const rest = {
    get: async (route: string) => {
      if (route !== Routes.gatewayBot()) throw new Error(`the Gateway asked for ${route}, which it is not given`);
      return client.getGatewayBot();
    },
  } as unknown as REST;

  const manager = new WebSocketManager({
    token: options.token,
    intents: options.intents ?? GATEWAY_COMMAND_INTENTS,
    rest,
    shardCount: 1,
    encoding: Encoding.JSON,
    compression: null,
    retrieveSessionInfo: (shardId) => sessionsByShard.get(shardId) ?? null,
    updateSessionInfo: (shardId, info) => {
      if (info) sessionsByShard.set(shardId, info);
      else sessionsByShard.delete(shardId);
    },
  });

  const setConnected = (up: boolean): void => {
    connected = up;
    setDiscordGatewayConnected(up);
  };

  manager.on(WebSocketShardEvents.Ready, (data) => {
    sessions += 1;
    if (everUp) {
      reconnects += 1;
      countDiscordGatewayReconnect();
    }
    everUp = true;
    setConnected(true);
    log.info({ sessions, user: data.user.id }, 'discord gateway: session ready');
  });
  manager.on(WebSocketShardEvents.Resumed, () => {
    resumes += 1;
    reconnects += 1;
    countDiscordGatewayReconnect();
    setConnected(true);
    log.info({ resumes }, 'discord gateway: session resumed');
  });
  manager.on(WebSocketShardEvents.Closed, (code) => {
    lastCloseCode = code;
    setConnected(false);
    if (!stopping.signal.aborted) log.warn({ code }, 'discord gateway: socket closed');
  });
  manager.on(WebSocketShardEvents.Error, (error) => {
    log.error({ err: error }, 'discord gateway: error');
  });
  manager.on(WebSocketShardEvents.Dispatch, (payload) => {
    if (payload.t !== GatewayDispatchEvents.InteractionCreate) return;
    const interaction = payload.d;
    if (interaction.type !== InteractionType.ApplicationCommand || interaction.data.type !== ApplicationCommandType.ChatInput) return;
    const command = interaction as CommandInteraction;
    // The interaction's token authorises its answers: it is never logged.
    dispatch(command, restResponder(client, command)).catch((error: unknown) =>
      log.error({ err: error, interactionId: command.id, command: command.data.name }, 'discord gateway: command failed'),
    );
  });

  const open = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      try {
        await manager.connect();
        return;
      } catch (error) {
        if (stopping.signal.aborted) return;
        log.warn({ err: error, retryMs }, 'discord gateway: could not connect; retrying');
        await delay(retryMs, undefined, { signal: stopping.signal }).catch(() => {});
      }
    }
  };
  const opened = open();

  let stopped: Promise<void> | undefined;
  return {
    state: () => ({ connected, sessions, reconnects, resumes, lastCloseCode }),
    stop: () => {
      stopped ??= (async () => {
        stopping.abort();
        await Promise.resolve()
          .then(() => manager.destroy({ code: 1000, reason: 'stepping down' }))
          .catch((error: unknown) => log.warn({ err: error }, 'discord gateway: closing failed'));
        await opened;
        // A connect that was still under way when destroy ran may have spawned its shard after it.
        await Promise.resolve()
          .then(() => manager.destroy({ code: 1000, reason: 'stepping down' }))
          .catch(() => {});
        manager.removeAllListeners();
        setConnected(false);
      })();
      return stopped;
    },
  };
}
