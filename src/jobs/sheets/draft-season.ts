import type { DraftSeasonThreshold } from '../../config.ts';
import { PermanentJobError } from '../outcomes.ts';

/**
 * The minor-league season a draft-picks run on `today` writes: the latest threshold whose date is
 * on or before today's UTC date (majors picks then belong to the season after). Fails instead of
 * guessing before the first threshold, and once a year has passed since the last one, since the
 * next season's pair is then overdue (the old worker silently kept the last season forever).
 */
export function minorLeagueSeasonFor(thresholds: readonly DraftSeasonThreshold[], today: Date): number {
  const day = today.toISOString().slice(0, 10);
  const sorted = [...thresholds].sort((a, b) => a.date.localeCompare(b.date));
  const first = sorted[0];
  const last = sorted.at(-1);
  if (!first || !last) {
    throw new PermanentJobError('DRAFT_SEASON_THRESHOLDS_EMPTY', 'DRAFT_PICKS_SEASON_THRESHOLDS has no YYYY-MM-DD=YYYY pair');
  }
  if (day < first.date) {
    throw new PermanentJobError(
      'DRAFT_SEASON_NOT_STARTED',
      `no draft season for ${day}: the first pair of DRAFT_PICKS_SEASON_THRESHOLDS starts on ${first.date} (${first.date}=${first.season})`,
    );
  }
  const overdue = anniversary(last.date);
  if (day >= overdue) {
    throw new PermanentJobError(
      'DRAFT_SEASON_THRESHOLDS_STALE',
      `DRAFT_PICKS_SEASON_THRESHOLDS ends with ${last.date}=${last.season}, and ${day} is a year or more past it: ` +
        `add the next year's pair (e.g. ${overdue}=${last.season + 1}) instead of reusing season ${last.season}`,
    );
  }
  let season = first.season;
  for (const threshold of sorted) if (threshold.date <= day) season = threshold.season;
  return season;
}

/** The same day a year later, as `YYYY-MM-DD` (29 February rolls to 1 March). */
function anniversary(date: string): string {
  const [year = 0, month = 1, day = 1] = date.split('-').map(Number);
  return new Date(Date.UTC(year + 1, month - 1, day)).toISOString().slice(0, 10);
}
