/**
 * The Gateway transport of the slash commands (issue 11), whole: a leader election among the
 * worker processes (src/jobs/discord/gateway/leader-lock.ts), and the Gateway connection opened by
 * the leader only and closed when it steps down or stops. Exactly one process holds the connection;
 * when it stops or dies another takes over within `leaderRetryMs` + the time to connect (see
 * leader-lock.ts for the bound on a vanished host).
 */
import type { Logger } from 'pino';
import type { Config } from '../../../config.ts';
import { setDiscordGatewayLeader } from '../../../telemetry/discord-metrics.ts';
import type { DiscordClient } from '../discord-client.ts';
import { startGatewayCommands, type CommandDispatch, type GatewayCommands } from './gateway-connection.ts';
import { startLeaderElection, type LeaderElection } from './leader-lock.ts';

/** What the Gateway transport reads from the worker's config. */
export interface DiscordGatewayConfig {
  readonly database: Pick<Config['database'], 'url'>;
  readonly discord: Pick<Config['discord'], 'botToken'> & { readonly commands: Pick<Config['discord']['commands'], 'leaderRetryMs'> };
}

export interface DiscordGatewayDeps {
  readonly client: DiscordClient;
  /** The commands (runCommand), given each chat-input interaction and its responder. */
  readonly dispatch: CommandDispatch;
  readonly log: Logger;
  /** Default: Guilds (1), all the commands need. */
  readonly intents?: number;
}

/** For /health details and the console. */
export interface DiscordGatewayStatus {
  /** This process holds the leader lock. */
  readonly leader: boolean;
  /** This process has a live Gateway session. */
  readonly connected: boolean;
  /** Sessions identified (READY), over every term this process led. */
  readonly sessions: number;
  /** Returns after a lost connection (resumes and re-identifies), over every term. */
  readonly reconnects: number;
  readonly resumes: number;
  /** Times this process became the leader. */
  readonly terms: number;
  readonly lastCloseCode: number | undefined;
}

export interface DiscordGateway {
  state(): DiscordGatewayStatus;
  /** Closes the Gateway connection, then releases the lock (so the next leader never overlaps this one). */
  stop(): Promise<void>;
}

export function startDiscordGateway(config: DiscordGatewayConfig, deps: DiscordGatewayDeps): DiscordGateway {
  const token = config.discord.botToken;
  if (token === undefined || token === '') throw new Error('DISCORD_BOT_TOKEN is not set: the Gateway cannot be opened');
  const { log } = deps;
  const retryMs = config.discord.commands.leaderRetryMs;
  let gateway: GatewayCommands | undefined;
  let terms = 0;
  const earlier = { sessions: 0, reconnects: 0, resumes: 0 };
  let lastCloseCode: number | undefined;

  const close = async (): Promise<void> => {
    const current = gateway;
    gateway = undefined;
    if (!current) return;
    await current.stop();
    const state = current.state();
    earlier.sessions += state.sessions;
    earlier.reconnects += state.reconnects;
    earlier.resumes += state.resumes;
    lastCloseCode = state.lastCloseCode;
  };

  setDiscordGatewayLeader(false);
  const election: LeaderElection = startLeaderElection({
    url: config.database.url,
    retryMs,
    log,
    onLeader: async () => {
      terms += 1;
      setDiscordGatewayLeader(true);
      await close();
      // Not awaited past its start: the connection retries on its own, and the election keeps checking the lock meanwhile.
      gateway = startGatewayCommands({ token, client: deps.client, dispatch: deps.dispatch, log, retryMs, ...(deps.intents === undefined ? {} : { intents: deps.intents }) });
    },
    onFollower: async () => {
      setDiscordGatewayLeader(false);
      await close();
    },
  });

  return {
    state: () => {
      const current = gateway?.state();
      return {
        leader: election.isLeader(),
        connected: current?.connected ?? false,
        sessions: earlier.sessions + (current?.sessions ?? 0),
        reconnects: earlier.reconnects + (current?.reconnects ?? 0),
        resumes: earlier.resumes + (current?.resumes ?? 0),
        terms,
        lastCloseCode: current?.lastCloseCode ?? lastCloseCode,
      };
    },
    stop: async () => {
      await election.stop();
      await close();
      setDiscordGatewayLeader(false);
    },
  };
}
