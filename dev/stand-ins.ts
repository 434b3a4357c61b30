import { discordStandIn } from './jobs/discord/discord-stand-in.ts';
import { espnStandIn } from './jobs/espn/espn-stand-in.ts';
import { sheetsStandIn } from './jobs/sheets/sheets-stand-in.ts';
import type { StandIn } from './stand-in.ts';

/** Every stand-in start-dev runs: adding one is one module and one line here. */
export const standIns: readonly StandIn[] = [espnStandIn, sheetsStandIn, discordStandIn];

export interface StartedStandIns {
  /** Variables to add to the worker's environment. */
  readonly env: Readonly<Record<string, string>>;
  /** One banner line per service: the stand-in's address, or why the real service is used. */
  readonly lines: readonly { readonly name: string; readonly summary: string }[];
  close(): Promise<void>;
}

/** Starts the stand-ins whose real service is not configured in `env`; `env` itself is left alone. */
export async function startStandIns(env: NodeJS.ProcessEnv, all: readonly StandIn[] = standIns): Promise<StartedStandIns> {
  const started: { close(): Promise<void> }[] = [];
  const lines: { name: string; summary: string }[] = [];
  const vars: Record<string, string> = {};
  try {
    for (const standIn of all) {
      const reason = standIn.realServiceReason(env);
      if (reason !== undefined) {
        lines.push({ name: standIn.name, summary: reason });
        continue;
      }
      const running = await standIn.start(env);
      started.push(running);
      Object.assign(vars, running.env);
      lines.push({ name: standIn.name, summary: running.summary });
    }
  } catch (error) {
    await Promise.allSettled(started.map((running) => running.close()));
    throw error;
  }
  return { env: vars, lines, close: async () => void (await Promise.allSettled(started.map((running) => running.close()))) };
}
