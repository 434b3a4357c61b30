import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { toEspnPlayer, type EspnPlayer } from '../../../src/jobs/espn/espn-player.ts';
import { nameFor, planPlayerSync } from '../../../src/jobs/espn/players-match.ts';
import type { PlayerRow, SyncPlan } from '../../../src/jobs/espn/players-plan.ts';

interface EntryOptions {
  /** proTeamId: 19 LAD, 13 TEX, 10 NYY, 18 HOU, 0 free agent. */
  readonly team?: number;
  readonly position?: number;
  readonly onTeamId?: number;
  readonly status?: string;
  readonly extra?: Record<string, number>;
}

/** A pool entry as ESPN sends it, with only the fields given. */
function entry(id: number, fullName: string | undefined, options: EntryOptions = {}): EspnPlayer {
  const player: Record<string, unknown> = { id };
  if (fullName !== undefined) player.fullName = fullName;
  if (options.team !== undefined) player.proTeamId = options.team;
  if (options.position !== undefined) player.defaultPositionId = options.position;
  const raw: Record<string, unknown> = { id, player, ...options.extra };
  if (options.status !== undefined) raw.status = options.status;
  if (options.onTeamId !== undefined) raw.onTeamId = options.onTeamId;
  return toEspnPlayer(raw as Parameters<typeof toEspnPlayer>[0]);
}

/** An unclaimed major by default. */
function row(id: string, name: string, overrides: Partial<PlayerRow> = {}): PlayerRow {
  return { id, name, league: '1', mlbTeam: null, playerDataId: null, leagueTeamId: null, ownerEspnId: null, defaultPositionId: null, ...overrides };
}

/** The plan's decisions without the entries' bodies, for short assertions. */
function summary(plan: SyncPlan) {
  return {
    updates: plan.updates.map((u) => `${u.rowId}<-${u.player.id}${u.claim ? ' claim' : ''}${u.minorLeaguer ? ' minor' : ''}`),
    inserts: plan.inserts.map((p) => p.id),
    ambiguous: plan.ambiguous.map((a) => `${a.espnId}:${a.candidateRowIds.join(',')}`),
    duplicates: plan.duplicateEspnIds.map((d) => `${d.espnId}:${d.rowIds.join(',')}->${d.updatedRowId}`),
    missing: plan.missingFromEspn,
    conflicts: plan.conflicts.map((c) => `${c.rowId}<-${c.espnId} ${c.name} held by ${c.heldByRowId}`),
  };
}

const empty = { updates: [], inserts: [], ambiguous: [], duplicates: [], missing: 0, conflicts: [] };

/** mulberry32: a seeded PRNG, so a failing shuffle can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/** Plan invariants the writer relies on (ON CONFLICT (name, "playerDataId") and the unique pair). */
function assertWritable(plan: SyncPlan, rows: readonly PlayerRow[]): void {
  const insertPairs = plan.inserts.map((p) => `${nameFor(p)}|${p.id}`);
  assert.equal(new Set(insertPairs).size, insertPairs.length, 'two inserts share (name, playerDataId)');
  const held = new Map(rows.filter((r) => r.playerDataId !== null).map((r) => [`${r.name}|${r.playerDataId}`, r.id]));
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const u of plan.updates) {
    if (u.minorLeaguer) continue;
    const holder = held.get(`${nameFor(u.player, byId.get(u.rowId))}|${u.player.id}`);
    assert.ok(holder === undefined || holder === u.rowId, `update of ${u.rowId} would take the pair of ${holder}`);
  }
  for (const p of plan.inserts) assert.ok(!held.has(`${nameFor(p)}|${p.id}`), `insert ${p.id} collides with an existing row`);
}

describe('planPlayerSync: dedup of the pool', () => {
  test('identical entries with one id become one insert', () => {
    const plan = planPlayerSync([entry(5, 'Ada'), entry(5, 'Ada'), entry(4, 'Bea')], []);
    assert.deepEqual(summary(plan), { ...empty, inserts: [4, 5] });
  });

  test('differing entries with one id: the same one is kept in either order', () => {
    const a = entry(5, 'Ada', { extra: { percentOwned: 40 } });
    const b = entry(5, 'Ada', { extra: { percentOwned: 39 } });
    const first = planPlayerSync([a, b], []);
    const second = planPlayerSync([b, a], []);
    assert.equal(first.inserts.length, 1);
    assert.deepEqual(first, second);
  });
});

describe('planPlayerSync: phase 1, by ESPN id', () => {
  test('a row holding the ESPN id is updated without a claim, whatever its name', () => {
    const plan = planPlayerSync([entry(10, 'Mookie Betts', { team: 19 })], [row('r1', 'Markus Betts', { playerDataId: 10 })]);
    assert.deepEqual(summary(plan), { ...empty, updates: ['r1<-10'] });
  });

  test('rows whose ESPN id is not in the pool are counted missing and not written', () => {
    const plan = planPlayerSync([entry(10, 'A')], [row('r1', 'A', { playerDataId: 10 }), row('r2', 'Gone', { playerDataId: 99 }), row('r3', 'Old', { playerDataId: 98 })]);
    assert.deepEqual(summary(plan), { ...empty, updates: ['r1<-10'], missing: 2 });
  });

  test('an entry matched by id is not offered to phase 2 nor inserted', () => {
    const plan = planPlayerSync([entry(10, 'Twin')], [row('r1', 'Twin', { playerDataId: 10 }), row('r2', 'Twin')]);
    assert.deepEqual(summary(plan), { ...empty, updates: ['r1<-10'] });
  });
});

describe('planPlayerSync: phase 2, by name for unclaimed majors', () => {
  test('2a: the entry on the row\'s fantasy team wins among same-name entries', () => {
    const espn = [entry(1, 'Luis Garcia', { team: 20, status: 'ONTEAM', onTeamId: 3 }), entry(2, 'Luis Garcia', { team: 18, status: 'FREEAGENT' })];
    const plan = planPlayerSync(espn, [row('r1', 'Luis Garcia', { leagueTeamId: 't3', ownerEspnId: 3 })]);
    // Entry 2 has no candidate row left once r1 is claimed: a different Luis Garcia, inserted.
    assert.deepEqual(summary(plan), { ...empty, updates: ['r1<-1 claim'], inserts: [2] });
  });

  test('2a: ownership needs status ONTEAM', () => {
    const espn = [entry(1, 'Luis Garcia', { team: 20, status: 'WAIVERS', onTeamId: 3 }), entry(2, 'Luis Garcia', { team: 18 })];
    const plan = planPlayerSync(espn, [row('r1', 'Luis Garcia', { ownerEspnId: 3 })]);
    assert.deepEqual(summary(plan), { ...empty, ambiguous: ['1:r1', '2:r1'] });
  });

  test('2b: a unique name is claimed', () => {
    const plan = planPlayerSync([entry(7, 'Aaron Judge', { team: 10 }), entry(8, 'Someone Else')], [row('r1', 'Aaron Judge')]);
    assert.deepEqual(summary(plan), { ...empty, updates: ['r1<-7 claim'], inserts: [8] });
  });

  test('2b: names are compared exactly', () => {
    const plan = planPlayerSync([entry(7, 'Aaron Judge')], [row('r1', 'aaron judge')]);
    assert.deepEqual(summary(plan), { ...empty, inserts: [7] });
  });

  test('2c: name + MLB team decides between same-name entries (stored team in any case)', () => {
    const espn = [entry(1, 'Diego Castillo', { team: 10 }), entry(2, 'Diego Castillo', { team: 18 })];
    const plan = planPlayerSync(espn, [row('r1', 'Diego Castillo', { mlbTeam: 'Hou' })]);
    assert.deepEqual(summary(plan), { ...empty, updates: ['r1<-2 claim'], inserts: [1] });
  });

  test('2c: a known team that matches none of the entries decides nothing', () => {
    const espn = [entry(1, 'Diego Castillo', { team: 10 }), entry(2, 'Diego Castillo', { team: 18 })];
    const plan = planPlayerSync(espn, [row('r1', 'Diego Castillo', { mlbTeam: 'SEA' })]);
    assert.deepEqual(summary(plan), { ...empty, ambiguous: ['1:r1', '2:r1'] });
  });

  test('2d: position decides between same-name entries on the same team', () => {
    const espn = [entry(1, 'Javy Guerra', { team: 25, position: 1 }), entry(2, 'Javy Guerra', { team: 25, position: 11 })];
    const plan = planPlayerSync(espn, [row('r1', 'Javy Guerra', { mlbTeam: 'SD', defaultPositionId: 11 })]);
    assert.deepEqual(summary(plan), { ...empty, updates: ['r1<-2 claim'], inserts: [1] });
  });

  test('symmetric: of two same-name rows, the one the entry singles out is claimed', () => {
    const espn = [entry(1, 'Will Smith', { team: 19 })];
    const rows = [row('r1', 'Will Smith'), row('r2', 'Will Smith', { mlbTeam: 'LAD' })];
    assert.deepEqual(summary(planPlayerSync(espn, rows)), { ...empty, updates: ['r2<-1 claim'] });
    assert.deepEqual(summary(planPlayerSync(espn, [...rows].reverse())), { ...empty, updates: ['r2<-1 claim'] });
  });

  test('symmetric: two indistinguishable rows leave the entry ambiguous, neither is chosen by order', () => {
    const plan = planPlayerSync([entry(1, 'Will Smith', { team: 19 })], [row('r2', 'Will Smith'), row('r1', 'Will Smith')]);
    assert.deepEqual(summary(plan), { ...empty, ambiguous: ['1:r1,r2'] });
  });

  test('phase 2 runs in rounds: a claim frees a unique name for the next row', () => {
    const espn = [entry(1, 'Josh Bell', { team: 20 }), entry(2, 'Josh Bell', { team: 28 })];
    const rows = [row('r1', 'Josh Bell', { mlbTeam: 'WSH' }), row('r2', 'Josh Bell')];
    assert.deepEqual(summary(planPlayerSync(espn, rows)), { ...empty, updates: ['r1<-1 claim', 'r2<-2 claim'] });
  });

  test('claimed rows are majors with no ESPN id only', () => {
    const rows = [row('r1', 'Nobody', { league: null }), row('r2', 'Nobody', { league: '1', playerDataId: 50 })];
    const plan = planPlayerSync([entry(1, 'Nobody')], rows);
    assert.deepEqual(summary(plan), { ...empty, inserts: [1], missing: 1 });
  });

  test('an entry without a name is inserted under the writer\'s placeholder name', () => {
    const plan = planPlayerSync([entry(3, undefined)], [row('r1', 'ESPN Player #3')]);
    assert.deepEqual(summary(plan), { ...empty, inserts: [3] });
    assert.equal(nameFor(plan.inserts[0] as EspnPlayer), 'ESPN Player #3');
  });
});

describe('planPlayerSync: the players.ex defects of §1.7', () => {
  test('duplicate playerDataIds: one row (the lowest id) is updated, the group is reported', () => {
    const rows = [row('r2', 'M. Betts', { playerDataId: 7 }), row('r1', 'Mookie Betts', { playerDataId: 7 }), row('r3', 'Betts', { league: '2', playerDataId: 7 })];
    const plan = planPlayerSync([entry(7, 'Mookie Betts')], rows);
    assert.deepEqual(summary(plan), { ...empty, updates: ['r1<-7'], duplicates: ['7:r1,r2,r3->r1'] });
    assertWritable(plan, rows);
  });

  test('rename conflict: an update that would take another row\'s (name, playerDataId) is reported, not planned', () => {
    const rows = [row('r1', 'M. Betts', { playerDataId: 7 }), row('r2', 'Mookie Betts', { playerDataId: 7 })];
    const plan = planPlayerSync([entry(7, 'Mookie Betts')], rows);
    assert.deepEqual(summary(plan), { ...empty, duplicates: ['7:r1,r2->r1'], conflicts: ['r1<-7 Mookie Betts held by r2'] });
    assertWritable(plan, rows);
  });

  test('Will Smith contradiction: a unique name on another MLB team is not claimed, nor inserted', () => {
    const plan = planPlayerSync([entry(1, 'Will Smith', { team: 13, position: 11 })], [row('r1', 'Will Smith', { mlbTeam: 'LAD' })]);
    assert.deepEqual(summary(plan), { ...empty, ambiguous: ['1:r1'] });
  });

  test('Will Smith contradiction: a free agent (no MLB team) does not contradict', () => {
    const plan = planPlayerSync([entry(1, 'Will Smith', { team: 0 })], [row('r1', 'Will Smith', { mlbTeam: 'LAD' })]);
    assert.deepEqual(summary(plan), { ...empty, updates: ['r1<-1 claim'] });
  });

  test('position tie-break deciding: the row\'s defaultPositionId (from meta) breaks a tie the team cannot', () => {
    const espn = [entry(1, 'Luis Castillo', { position: 1 }), entry(2, 'Luis Castillo', { position: 11 })];
    const plan = planPlayerSync(espn, [row('r1', 'Luis Castillo', { defaultPositionId: 1 })]);
    assert.deepEqual(summary(plan), { ...empty, updates: ['r1<-1 claim'], inserts: [2] });
  });

  test('ambiguous not inserted: an entry with candidate rows but no choice is listed, not inserted', () => {
    const espn = [entry(1, 'Luis Castillo', { team: 12 }), entry(2, 'Luis Castillo', { team: 12 }), entry(3, 'Other')];
    const plan = planPlayerSync(espn, [row('r1', 'Luis Castillo', { mlbTeam: 'SEA' })]);
    assert.deepEqual(summary(plan), { ...empty, inserts: [3], ambiguous: ['1:r1', '2:r1'] });
    assert.deepEqual(plan.ambiguous[0], { espnId: 1, name: 'Luis Castillo', candidateRowIds: ['r1'] });
  });

  test('minor leaguer with ESPN id: updated as a minor leaguer (meta only), never as a major', () => {
    const plan = planPlayerSync([entry(9, 'Jackson Holliday', { team: 1 })], [row('m1', 'Holliday, Jackson', { league: '2', playerDataId: 9 })]);
    assert.deepEqual(summary(plan), { ...empty, updates: ['m1<-9 minor'] });
  });

  test('minor leaguer without id: never claimed by name (a league \'2\' row), the entry is inserted', () => {
    const plan = planPlayerSync([entry(9, 'Jackson Holliday', { team: 1 })], [row('m1', 'Jackson Holliday', { league: '2', mlbTeam: 'BAL' })]);
    assert.deepEqual(summary(plan), { ...empty, inserts: [9] });
  });

  test('order independence: shuffled inputs give the identical plan, 300 seeded shuffles', () => {
    const espn = [
      entry(1, 'Will Smith', { team: 19, position: 2 }),
      entry(2, 'Will Smith', { team: 13, position: 11 }),
      entry(3, 'Will Smith', { team: 1, position: 11 }),
      entry(4, 'Josh Bell', { team: 20 }),
      entry(5, 'Josh Bell', { team: 28 }),
      entry(6, 'Luis Garcia', { status: 'ONTEAM', onTeamId: 4 }),
      entry(7, 'Luis Garcia'),
      entry(8, 'Twin'),
      entry(9, 'Mookie Betts', { extra: { percentOwned: 99 } }),
      entry(9, 'Mookie Betts', { extra: { percentOwned: 98 } }),
      entry(10, 'Fresh Face'),
      entry(11, 'Jackson Holliday'),
    ];
    const rows = [
      row('a', 'Will Smith', { mlbTeam: 'LAD' }),
      row('b', 'Will Smith'),
      row('c', 'Will Smith', { defaultPositionId: 11 }),
      row('d', 'Josh Bell'),
      row('e', 'Josh Bell', { mlbTeam: 'WSH' }),
      row('f', 'Luis Garcia', { ownerEspnId: 4 }),
      row('g', 'Twin'),
      row('h', 'Twin'),
      row('i', 'M. Betts', { playerDataId: 9 }),
      row('j', 'Mookie Betts', { playerDataId: 9 }),
      row('k', 'Jackson Holliday', { league: '2' }),
      row('l', 'Retired', { playerDataId: 404 }),
    ];
    const expected = planPlayerSync(espn, rows);
    const random = prng(20261123);
    for (let i = 0; i < 300; i++) {
      assert.deepEqual(planPlayerSync(shuffled(espn, random), shuffled(rows, random)), expected, `shuffle ${i}`);
    }
    // And the plan is the one meant, so the comparison above compares something.
    assert.deepEqual(summary(expected), {
      updates: ['a<-1 claim', 'd<-5 claim', 'e<-4 claim', 'f<-6 claim'],
      inserts: [7, 10, 11],
      ambiguous: ['2:b,c', '3:b,c', '8:g,h'],
      duplicates: ['9:i,j->i'],
      missing: 1,
      conflicts: ['i<-9 Mookie Betts held by j'],
    });
    assert.equal(expected.conflicts.length, 1);
    assertWritable(expected, rows);
  });
});

describe('planPlayerSync: a 5,000-player pool', () => {
  test('5,000 entries against 5,000 rows: every count as built', () => {
    const espn: EspnPlayer[] = [];
    for (let id = 1; id <= 5000; id++) espn.push(entry(id, `Player ${id}`, { team: (id % 30) + 1, position: (id % 11) + 1 }));
    const rows: PlayerRow[] = [];
    // 2,000 rows already holding their ESPN id (every tenth renamed by ESPN since).
    for (let id = 1; id <= 2000; id++) rows.push(row(`held-${id}`, id % 10 === 0 ? `Old ${id}` : `Player ${id}`, { playerDataId: id }));
    // 2,000 unclaimed majors named like entries 2001..4000.
    for (let id = 2001; id <= 4000; id++) rows.push(row(`open-${id}`, `Player ${id}`));
    // 500 rows whose ESPN id left the pool, 500 minor leaguers without id (never claimed).
    for (let i = 1; i <= 500; i++) rows.push(row(`gone-${i}`, `Gone ${i}`, { playerDataId: 10_000 + i }));
    for (let id = 4001; id <= 4500; id++) rows.push(row(`minor-${id}`, `Player ${id}`, { league: '2' }));
    assert.equal(rows.length, 5000);

    const plan = planPlayerSync(shuffled(espn, prng(1)), shuffled(rows, prng(2)));
    assert.equal(plan.updates.length, 4000);
    assert.equal(plan.updates.filter((u) => u.claim).length, 2000);
    assert.equal(plan.inserts.length, 1000);
    assert.deepEqual([plan.inserts[0]?.id, plan.inserts.at(-1)?.id], [4001, 5000]);
    assert.equal(plan.missingFromEspn, 500);
    assert.deepEqual([plan.ambiguous.length, plan.duplicateEspnIds.length, plan.conflicts.length], [0, 0, 0]);
    assertWritable(plan, rows);
  });
});
