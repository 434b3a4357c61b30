/**
 * The league's two sheets as configured: which id and gid, and the variable that names them, so a
 * sync reads its sheet in one call and an unset id fails the same way for both.
 */
import type { JobContext } from '../define-job.ts';
import { PermanentJobError } from '../outcomes.ts';
import { fetchSheetRows } from './sheet-client.ts';
import type { SheetRows } from './sheet-problems.ts';

const sheets = {
  minors: { name: 'minors', variable: 'MINOR_LEAGUE_SHEET_ID', config: 'minors' },
  draftPicks: { name: 'draft picks', variable: 'DRAFT_PICKS_SHEET_ID', config: 'draftPicks' },
} as const;

export type LeagueSheet = keyof typeof sheets;

export interface ReadSheet {
  readonly sheetId: string;
  readonly gid: string;
  readonly rows: SheetRows;
}

/** Fetches the sheet's CSV export; its id unset is permanent (SHEET_NOT_CONFIGURED), before any request. */
export async function readLeagueSheet(which: LeagueSheet, ctx: JobContext): Promise<ReadSheet> {
  const sheet = sheets[which];
  const settings = ctx.config.sheets;
  const { sheetId, gid } = settings[sheet.config];
  if (sheetId === undefined) {
    throw new PermanentJobError('SHEET_NOT_CONFIGURED', `${sheet.variable} is not set: the ${sheet.name} sync has no sheet to read`);
  }
  const rows = await fetchSheetRows({ name: sheet.name, sheetId, gid }, { baseUrl: settings.baseUrl, timeoutMs: settings.timeoutMs, signal: ctx.signal });
  return { sheetId, gid, rows };
}
