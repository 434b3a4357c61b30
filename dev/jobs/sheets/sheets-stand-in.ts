import { currentSeason, generateLeague } from '../../seed/generate-league.ts';
import type { StandIn } from '../../stand-in.ts';
import { startFakeSheets } from './fake-sheets.ts';
import { seededDraftPicksSheet, seededMinorsSheet } from './seeded-sheets.ts';

/** The sheet ids the stand-in serves; the gids are the worker's defaults. */
export const STAND_IN_MINORS_SHEET_ID = 'dev-minor-league-sheet';
export const STAND_IN_DRAFT_PICKS_SHEET_ID = 'dev-draft-picks-sheet';
const MINORS_GID = '806978055';
const DRAFT_PICKS_GID = '142978697';

/**
 * Google Sheets for start-dev: the fake sheet server (the one the tests use) serving the seeded
 * league's minors and draft-picks sheets, so both sheet syncs complete on a fresh clone. Configured
 * sheet ids win: then the real sheets are read.
 */
export const sheetsStandIn: StandIn = {
  name: 'sheets',
  realServiceReason: (env) => {
    const set = ['MINOR_LEAGUE_SHEET_ID', 'DRAFT_PICKS_SHEET_ID'].filter((name) => env[name]);
    return set.length > 0 ? `real Google Sheets (${set.join(' and ')} set)` : undefined;
  },
  async start(env) {
    const season = env.ESPN_SEASON ? Number(env.ESPN_SEASON) : currentSeason();
    const league = generateLeague(season);
    const fake = await startFakeSheets();
    fake.setSheet(STAND_IN_MINORS_SHEET_ID, env.MINOR_LEAGUE_SHEET_GID ?? MINORS_GID, seededMinorsSheet(league));
    fake.setSheet(STAND_IN_DRAFT_PICKS_SHEET_ID, env.DRAFT_PICKS_SHEET_GID ?? DRAFT_PICKS_GID, seededDraftPicksSheet(league));
    return {
      env: { SHEETS_BASE_URL: fake.url, MINOR_LEAGUE_SHEET_ID: STAND_IN_MINORS_SHEET_ID, DRAFT_PICKS_SHEET_ID: STAND_IN_DRAFT_PICKS_SHEET_ID },
      summary: `stand-in ${fake.url} serving the seeded league's minors and draft-picks sheets (season ${season})`,
      close: () => fake.close(),
    };
  },
};
