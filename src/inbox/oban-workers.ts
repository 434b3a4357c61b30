/**
 * The Oban worker strings the owner writes into `oban_jobs.worker` (jobs-reference §6.7 / §7), the
 * queue each is inserted into, and the job it becomes here. No imports: config.ts reads the list.
 */
export const obanWorkers = {
  'TradeMachine.Jobs.EmailWorker': { queue: 'emails' },
  'TradeMachine.Jobs.EmailWebhookWorker': { queue: 'emails' },
  'TradeMachine.Jobs.DiscordWorker': { queue: 'discord' },
  'TradeMachine.Jobs.EspnTeamSync': { queue: 'espn_sync' },
  'TradeMachine.Jobs.EspnMlbPlayersSync': { queue: 'espn_sync' },
  'TradeMachine.Jobs.MinorsSync': { queue: 'minors_sync' },
  'TradeMachine.Jobs.DraftPicksSync': { queue: 'draft_sync' },
} as const;

export type ObanWorker = keyof typeof obanWorkers;

export const knownObanWorkers = Object.keys(obanWorkers) as ObanWorker[];

export function isObanWorker(worker: string): worker is ObanWorker {
  return Object.hasOwn(obanWorkers, worker);
}

/** The queues the inbox polls for a set of worker strings. */
export function queuesOf(workers: readonly ObanWorker[]): string[] {
  return [...new Set(workers.map((worker) => obanWorkers[worker].queue))].sort();
}
