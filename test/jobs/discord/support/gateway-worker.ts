/**
 * A worker process reduced to the Gateway transport, for the failover test: startDiscordGateway
 * with its config from the environment (DATABASE_URL, DISCORD_API_BASE_URL, DISCORD_BOT_TOKEN,
 * DISCORD_LEADER_RETRY_MS), a command stub that replies `pong <command> from <pid>`, and a JSON
 * line on stdout at each change of its state. SIGTERM stops it gracefully.
 */
import pino from 'pino';
import { createDiscordClient } from '../../../../src/jobs/discord/discord-client.ts';
import { startDiscordGateway } from '../../../../src/jobs/discord/gateway/gateway-commands.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
};

const log = pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
const botToken = env('DISCORD_BOT_TOKEN');
const client = createDiscordClient({ botToken, apiBaseUrl: env('DISCORD_API_BASE_URL'), timeoutMs: 2000 }, { retries: 0 });
const gateway = startDiscordGateway(
  { database: { url: env('DATABASE_URL') }, discord: { botToken, commands: { leaderRetryMs: Number(env('DISCORD_LEADER_RETRY_MS')) } } },
  {
    client,
    log,
    dispatch: (interaction, responder) => responder.reply({ content: `pong ${interaction.data.name} from ${process.pid}` }),
  },
);

let last = '';
const report = setInterval(() => {
  const state = gateway.state();
  const line = JSON.stringify({ pid: process.pid, leader: state.leader, connected: state.connected, sessions: state.sessions });
  if (line !== last) process.stdout.write(`${line}\n`);
  last = line;
}, 20);

process.once('SIGTERM', () => {
  clearInterval(report);
  void gateway.stop().finally(() => {
    client.close();
    process.exit(0);
  });
});
