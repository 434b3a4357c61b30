import { seedExamples } from './seed/seed-examples.ts';

/** One thing to try on a fresh dev setup, with the exact command. */
export interface FirstStep {
  readonly label: string;
  readonly command: string;
}

/**
 * The commands the dev banner and the README's "First steps" print. They work as printed against
 * the seeded league: ids come from the seed, links from FRONTEND_URL's origin (email.send refuses
 * links elsewhere).
 */
export function firstSteps(frontendUrl: string): FirstStep[] {
  const origin = new URL(frontendUrl).origin;
  const { tradeId, recipientUserId } = seedExamples.tradeRequest;
  const tradeRequest = {
    type: 'trade_request',
    tradeId,
    recipientUserId,
    acceptUrl: `${origin}/trades/${tradeId}?action=accept`,
    declineUrl: `${origin}/trades/${tradeId}?action=decline`,
  };
  return [
    { label: 'test email', command: `npm run enqueue -- email.send '${JSON.stringify({ type: 'test', userId: seedExamples.testEmailUserId })}'` },
    { label: 'trade email', command: `npm run enqueue -- email.send '${JSON.stringify(tradeRequest)}'` },
    { label: 'team sync', command: `npm run enqueue -- espn.team-sync '{}'` },
    { label: 'players sync', command: `npm run enqueue -- espn.players-sync '{}'` },
    { label: 'minors sync', command: `npm run enqueue -- sheets.minors-sync '{}'` },
    { label: 'picks sync', command: `npm run enqueue -- sheets.draft-picks-sync '{}'` },
    { label: 'announcement', command: `npm run enqueue -- discord.trade-announcement '${JSON.stringify({ tradeId })}'` },
  ];
}
