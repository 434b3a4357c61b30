import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, type DraftSeasonThreshold } from '../../../src/config.ts';
import { minorLeagueSeasonFor } from '../../../src/jobs/sheets/draft-season.ts';
import { PermanentJobError } from '../../../src/jobs/outcomes.ts';

const thresholds: readonly DraftSeasonThreshold[] = [
  { date: '2025-03-01', season: 2025 },
  { date: '2026-03-01', season: 2026 },
  { date: '2027-03-01', season: 2027 },
];

const at = (iso: string) => new Date(iso);

test('the latest threshold on or before today\'s UTC date gives the season', () => {
  assert.equal(minorLeagueSeasonFor(thresholds, at('2025-03-01T00:00:00Z')), 2025, 'the threshold day itself counts');
  assert.equal(minorLeagueSeasonFor(thresholds, at('2026-02-28T23:59:59Z')), 2025, 'the day before the next threshold');
  assert.equal(minorLeagueSeasonFor(thresholds, at('2026-03-01T00:00:00Z')), 2026);
  assert.equal(minorLeagueSeasonFor(thresholds, at('2026-12-31T12:00:00Z')), 2026);
  assert.equal(minorLeagueSeasonFor(thresholds, at('2028-02-29T23:59:59Z')), 2027, 'less than a year past the last threshold');
});

test('today is the UTC date, whatever the local zone says', () => {
  // 2026-02-28 at 23:30 in New York is already 1 March in UTC.
  assert.equal(minorLeagueSeasonFor(thresholds, at('2026-02-28T23:30:00-05:00')), 2026);
  assert.equal(minorLeagueSeasonFor(thresholds, at('2026-03-01T00:30:00+01:00')), 2025);
});

test('the order the thresholds come in does not matter', () => {
  const reversed = [...thresholds].reverse();
  assert.equal(minorLeagueSeasonFor(reversed, at('2026-06-01T00:00:00Z')), 2026);
  assert.equal(minorLeagueSeasonFor(reversed, at('2025-06-01T00:00:00Z')), 2025);
});

test('before the first threshold is a clear permanent error, not a guess', () => {
  assert.throws(
    () => minorLeagueSeasonFor(thresholds, at('2025-02-28T23:59:59Z')),
    (error: unknown) => {
      assert.ok(error instanceof PermanentJobError);
      assert.equal(error.code, 'DRAFT_SEASON_NOT_STARTED');
      assert.match(error.message, /no draft season for 2025-02-28/);
      assert.match(error.message, /DRAFT_PICKS_SEASON_THRESHOLDS starts on 2025-03-01/);
      return true;
    },
  );
});

test('a year or more past the last threshold is DRAFT_SEASON_THRESHOLDS_STALE, naming the pair to add', () => {
  for (const when of ['2028-03-01T00:00:00Z', '2031-07-04T00:00:00Z']) {
    assert.throws(
      () => minorLeagueSeasonFor(thresholds, at(when)),
      (error: unknown) => {
        assert.ok(error instanceof PermanentJobError);
        assert.equal(error.code, 'DRAFT_SEASON_THRESHOLDS_STALE');
        assert.match(error.message, /DRAFT_PICKS_SEASON_THRESHOLDS ends with 2027-03-01=2027/);
        assert.match(error.message, /add the next year's pair \(e\.g\. 2028-03-01=2028\)/);
        return true;
      },
      when,
    );
  }
});

test('a leap-day threshold goes stale on 1 March a year later', () => {
  const leap = [{ date: '2024-02-29', season: 2024 }];
  assert.equal(minorLeagueSeasonFor(leap, at('2025-02-28T12:00:00Z')), 2024);
  assert.throws(() => minorLeagueSeasonFor(leap, at('2025-03-01T00:00:00Z')), { code: 'DRAFT_SEASON_THRESHOLDS_STALE' });
});

test('no thresholds at all is a permanent error', () => {
  assert.throws(() => minorLeagueSeasonFor([], at('2026-01-01T00:00:00Z')), { name: 'PermanentJobError', code: 'DRAFT_SEASON_THRESHOLDS_EMPTY' });
});

test('the configured default resolves like the old worker\'s list', () => {
  const config = loadConfig({ DATABASE_URL: 'postgres://worker@db:5432/trademachine' });
  assert.equal(minorLeagueSeasonFor(config.sheets.draftSeasonThresholds, at('2026-05-01T00:00:00Z')), 2026);
});
