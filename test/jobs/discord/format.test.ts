import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isSnowflake,
  minorLevelLabel,
  ordinal,
  ownerMention,
  pickPhrase,
  pickTypeLabel,
  roundOrdinal,
  teamMentions,
  toRound,
} from '../../../src/jobs/discord/embeds/format.ts';
import type { TradeOwner, TradeTeam } from '../../../src/jobs/discord/trade-view.ts';

describe('ordinal', () => {
  const cases: [number, string][] = [
    [1, '1st'], [2, '2nd'], [3, '3rd'], [4, '4th'], [10, '10th'],
    [11, '11th'], [12, '12th'], [13, '13th'], [14, '14th'],
    [21, '21st'], [22, '22nd'], [23, '23rd'], [24, '24th'],
    [101, '101st'], [102, '102nd'], [111, '111th'], [112, '112th'], [113, '113th'], [121, '121st'], [0, '0th'],
  ];
  for (const [n, expected] of cases) it(`${n} → ${expected}`, () => assert.equal(ordinal(n), expected));

  it('§5.7: 21st, 22nd, 23rd (the old formatter gave 21th, 22th)', () => {
    assert.deepEqual([21, 22, 23].map(ordinal), ['21st', '22nd', '23rd']);
  });
});

describe('rounds as integers (§5.7)', () => {
  it('round 1.0 and "1.0" print as 1st', () => {
    assert.equal(roundOrdinal(1.0), '1st');
    assert.equal(roundOrdinal('1.0'), '1st');
    assert.equal(toRound('2.0'), 2);
  });
  it('a non-integral round does not throw and prints a whole number', () => {
    assert.equal(toRound(2.9999999), 3);
    assert.equal(roundOrdinal('3.0000001'), '3rd');
  });
  it('missing or unreadable round is 0', () => {
    assert.equal(toRound(null), 0);
    assert.equal(toRound(undefined), 0);
    assert.equal(toRound('abc'), 0);
  });
});

describe('pick type labels from the enum values (§5.7)', () => {
  it('announcement words', () => {
    assert.deepEqual(['1', '2', '3'].map((t) => pickTypeLabel(t, 'announcement')), ['Major League', 'High Minors', 'Low Minors']);
  });
  it('DM summary words', () => {
    assert.deepEqual(['1', '2', '3'].map((t) => pickTypeLabel(t, 'summary')), ['Majors', 'High Minors', 'Low Minors']);
  });
  it('the old words MAJORS/HIGH/LOW are not types; unknown → no label', () => {
    assert.equal(pickTypeLabel('MAJORS', 'summary'), null);
    assert.equal(pickTypeLabel(null, 'summary'), null);
  });
  it('the phrase', () => {
    assert.equal(pickPhrase('1', 1, 'summary'), '1st round Majors pick');
    assert.equal(pickPhrase('3', 22, 'announcement'), '22nd round Low Minors pick');
    assert.equal(pickPhrase(null, null, 'announcement'), '0th round pick');
  });
});

describe('minor levels', () => {
  it('HM/High, LM/Low, else Minors', () => {
    assert.deepEqual(['HM', 'High', 'hm', 'LM', 'Low', ' lm ', 'AAA', null].map(minorLevelLabel), [
      'High Minors', 'High Minors', 'High Minors', 'Low Minors', 'Low Minors', 'Low Minors', 'Minors', 'Minors',
    ]);
  });
});

describe('mentions', () => {
  const owner = (o: Partial<TradeOwner>): TradeOwner => ({ userId: 'u', displayName: null, csvName: null, discordUserId: null, ...o });
  it('an owner with a Discord id is <@id>', () => assert.equal(ownerMention(owner({ discordUserId: '123456789012345678', displayName: 'Ann' })), '<@123456789012345678>'));
  it('without one: @displayName, else @csvName', () => {
    assert.equal(ownerMention(owner({ displayName: 'Bob', csvName: 'BOB' })), '@Bob');
    assert.equal(ownerMention(owner({ displayName: '  ', csvName: 'BOB' })), '@BOB');
    assert.equal(ownerMention(owner({})), '@Unknown');
  });
  it('a non-numeric id is not a mention (it would not render and cannot be allowed)', () => {
    assert.equal(isSnowflake('abc'), false);
    assert.equal(ownerMention(owner({ discordUserId: 'abc', displayName: 'Cy' })), '@Cy');
  });
  it('§5.7: a mixed list names the owner without a Discord id instead of dropping them', () => {
    const team: TradeTeam = {
      id: 't', name: 'T', label: 'T',
      owners: [owner({ discordUserId: '111111111111111111', displayName: 'Ann' }), owner({ displayName: 'Bob' }), owner({ discordUserId: '222222222222222222' })],
    };
    assert.equal(teamMentions([team]), '<@111111111111111111>, @Bob, <@222222222222222222>');
  });
  it('a team with no owners is named by its label', () => {
    assert.equal(teamMentions([{ id: 't', name: 'Team', label: 'TL', owners: [] }]), 'TL');
  });
});
