import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { upholdDeadline } from '../../../src/jobs/discord/embeds/uphold-deadline.ts';

const at = (iso: string) => upholdDeadline(new Date(iso)).toISOString();

describe('upholdDeadline: earliest 23:00 America/New_York at least 24 h after submission', () => {
  it('summer (EDT, UTC−4): morning submission → 23:00 the next day', () => {
    assert.equal(at('2026-06-01T12:00:00-04:00'), '2026-06-03T03:00:00.000Z');
  });
  it('winter (EST, UTC−5)', () => {
    assert.equal(at('2026-01-15T09:30:00-05:00'), '2026-01-17T04:00:00.000Z');
  });
  it('exactly 24 h before a 23:00 → that 23:00', () => {
    assert.equal(at('2026-06-01T23:00:00-04:00'), '2026-06-03T03:00:00.000Z');
  });
  it('one second later → 23:00 the day after', () => {
    assert.equal(at('2026-06-01T23:00:01-04:00'), '2026-06-04T03:00:00.000Z');
  });
  it('22:59 → 23:00 the next day (24 h 1 min later)', () => {
    assert.equal(at('2026-06-01T22:59:00-04:00'), '2026-06-03T03:00:00.000Z');
  });
  it('DST starts 2026-03-08: submitted Saturday noon EST → Sunday 23:00 EDT (03:00Z, not 04:00Z)', () => {
    assert.equal(at('2026-03-07T12:00:00-05:00'), '2026-03-09T03:00:00.000Z');
  });
  it('DST starts: the 23-hour day — submitted Saturday 23:30 EST → Monday 23:00 EDT', () => {
    // 24 h later is Monday 00:30 EDT, so Sunday 23:00 (only 22.5 h later) is too early.
    assert.equal(at('2026-03-07T23:30:00-05:00'), '2026-03-10T03:00:00.000Z');
  });
  it('DST ends 2026-11-01: submitted Saturday noon EDT → Sunday 23:00 EST (04:00Z, not 03:00Z)', () => {
    assert.equal(at('2026-10-31T12:00:00-04:00'), '2026-11-02T04:00:00.000Z');
  });
  it('DST ends: the 25-hour day — submitted Saturday 23:30 EDT → Sunday 23:00 EST (24.5 h later)', () => {
    // 24 h later is Sunday 22:30 EST, so Sunday 23:00 EST (24.5 h later) qualifies.
    assert.equal(at('2026-10-31T23:30:00-04:00'), '2026-11-02T04:00:00.000Z');
  });
  it('DST ends: submitted Saturday 23:00 EDT → Sunday 23:00 EST, 25 h later', () => {
    assert.equal(at('2026-10-31T23:00:00-04:00'), '2026-11-02T04:00:00.000Z');
  });
  it('is a pure function of the submission time (§5.7: a retry shows the same deadline)', () => {
    const submitted = new Date('2026-04-10T15:00:00Z');
    assert.equal(upholdDeadline(submitted).getTime(), upholdDeadline(new Date(submitted)).getTime());
  });
});
