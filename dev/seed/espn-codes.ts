/**
 * ESPN's baseball code tables (upstreams.md): pro teams and positions. These are ESPN's ids, not
 * invented data, so the seeded players carry the same numbers a real sync would store.
 */

/** `proTeamId` → the abbreviation the players sync stores (upper-cased). 0 (free agent) has none. */
export const proTeams: Readonly<Record<number, string>> = {
  1: 'BAL', 2: 'BOS', 3: 'LAA', 4: 'CHW', 5: 'CLE', 6: 'DET', 7: 'KC', 8: 'MIL', 9: 'MIN', 10: 'NYY',
  11: 'OAK', 12: 'SEA', 13: 'TEX', 14: 'TOR', 15: 'ATL', 16: 'CHC', 17: 'CIN', 18: 'HOU', 19: 'LAD', 20: 'WSH',
  21: 'NYM', 22: 'PHI', 23: 'PIT', 24: 'STL', 25: 'SD', 26: 'SF', 27: 'COL', 28: 'MIA', 29: 'ARI', 30: 'TB',
};

/** A natural position (`defaultPositionId`), its name, and the lineup slots (`eligibleSlots`) ESPN lists for it. */
export interface EspnPosition {
  readonly id: number;
  readonly name: string;
  readonly eligibleSlots: readonly number[];
}

// Slots: 0 C, 1 1B, 2 2B, 3 3B, 4 SS, 5 OF, 6 2B/SS, 7 1B/3B, 8 LF, 9 CF, 10 RF, 11 DH, 12 UTIL,
// 13 P, 14 SP, 15 RP, 16 BE, 17 IL, 19 IF.
export const espnPositions: readonly EspnPosition[] = [
  { id: 1, name: 'SP', eligibleSlots: [13, 14, 16, 17] },
  { id: 2, name: 'C', eligibleSlots: [0, 12, 16, 17] },
  { id: 3, name: '1B', eligibleSlots: [1, 7, 19, 12, 16, 17] },
  { id: 4, name: '2B', eligibleSlots: [2, 6, 19, 12, 16, 17] },
  { id: 5, name: '3B', eligibleSlots: [3, 7, 19, 12, 16, 17] },
  { id: 6, name: 'SS', eligibleSlots: [4, 6, 19, 12, 16, 17] },
  { id: 7, name: 'LF', eligibleSlots: [8, 5, 12, 16, 17] },
  { id: 8, name: 'CF', eligibleSlots: [9, 5, 12, 16, 17] },
  { id: 9, name: 'RF', eligibleSlots: [10, 5, 12, 16, 17] },
  { id: 10, name: 'DH', eligibleSlots: [11, 12, 16, 17] },
  { id: 11, name: 'RP', eligibleSlots: [13, 15, 16, 17] },
];

/** How often each natural position turns up on a roster (pitchers are about half of it). */
export const positionWeights: readonly { readonly weight: number; readonly value: EspnPosition }[] = espnPositions.map((position) => ({
  weight: ({ SP: 7, RP: 6, C: 2, DH: 1 } as Record<string, number>)[position.name] ?? 2,
  value: position,
}));

/** Positions as the minor-league sheet writes them. */
export const sheetPositions = ['P', 'P', 'P', 'C', '1B', '2B', '3B', 'SS', 'OF', 'OF'] as const;

/** `injuryStatus` values ESPN sends for a healthy player and the injured ones seen in real responses. */
export const injuryStatuses = ['DAY_TO_DAY', 'TEN_DAY_DL', 'FIFTEEN_DAY_DL', 'SIXTY_DAY_DL', 'OUT'] as const;
