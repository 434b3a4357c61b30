import type { FirstStep } from './first-steps.ts';

export interface DevBannerFacts {
  readonly databaseUrl: string;
  /** `http://host:port` of the worker's HTTP server. */
  readonly httpBase: string;
  /** One line per upstream: the stand-in start-dev runs, or why the real service is used. */
  readonly upstreams: readonly { readonly name: string; readonly summary: string }[];
  readonly firstSteps: readonly FirstStep[];
  /** Whether the database holds the seeded league the first steps name. */
  readonly seeded: boolean;
}

const column = (label: string, width: number) => label.padEnd(width);

/** What start-dev prints before the worker's logs: where everything is, and what to try first. */
export function devBanner(facts: DevBannerFacts): string {
  const shownDbUrl = facts.databaseUrl.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  const base = facts.httpBase;
  const stepWidth = Math.max(...facts.firstSteps.map((step) => step.label.length)) + 2;
  return [
    '',
    'TradeMachine worker (development)',
    `  database   ${shownDbUrl}`,
    `  health     ${base}/health   ready: ${base}/ready`,
    `  metrics    ${base}/metrics`,
    `  mailbox    ${base}/mailbox`,
    `  discord    ${base}/discord   (what the bot posted)`,
    ...facts.upstreams.map((upstream) => `  ${column(upstream.name, 10)} ${upstream.summary}`),
    '  console    npm run console',
    '  stop       Ctrl-C',
    '',
    facts.seeded ? 'First steps, in another terminal (the seeded league):' : 'First steps, in another terminal (add the seeded league first: npm run db:seed):',
    ...facts.firstSteps.map((step) => `  ${column(step.label, stepWidth)}${step.command}`),
    `  then look at ${base}/mailbox for the emails, ${base}/discord for the Discord messages, and in npm run console: await syncHistory(1), await recentFailures()`,
    '',
    '',
  ].join('\n');
}
