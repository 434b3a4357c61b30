import { seedId } from './seed-ids.ts';
import { SHOWCASE_TRADE } from './trades.ts';

/** User n owns team n (the main owner); co-owners and the commissioner come after the 20 owners. */
const mainOwnerOf = (team: number) => seedId('user', team);

/**
 * Ids the dev banner and the README print, known without reading the database because seeded ids
 * are name-based (seed-ids.ts). A test checks each against a seeded database.
 */
export const seedExamples = {
  /** The league's admin, owner of the first team: the test email's recipient. */
  testEmailUserId: mainOwnerOf(0),
  /** A requested trade from the first team to the second, with majors, minors and picks both ways. */
  tradeRequest: {
    tradeId: seedId('trade', SHOWCASE_TRADE.index),
    recipientUserId: mainOwnerOf(SHOWCASE_TRADE.recipientTeam),
  },
} as const;
