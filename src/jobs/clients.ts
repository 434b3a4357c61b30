import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { createEspnClient, type EspnClient } from './espn/espn-client.ts';
import { createMailer, type Mailer } from './email/mailer.ts';
import { createDiscordClient, type DiscordClient } from './discord/discord-client.ts';

/** The upstream clients jobs share, built once per process so connection pools are reused. */
export interface Clients {
  readonly espn: EspnClient;
  readonly mailer: Mailer;
  readonly discord: DiscordClient;
  close(): Promise<void>;
}

export function createClients(config: Config, log: Logger): Clients {
  const espn = createEspnClient(config.espn);
  const mailer = createMailer(config.email, log);
  const discord = createDiscordClient(config.discord);
  return {
    espn,
    mailer,
    discord,
    close: async () => {
      await Promise.all([espn.close(), mailer.close(), discord.close()]);
    },
  };
}
