/**
 * One entry of ESPN's player pool (`?view=kona_player_info`), as the players sync uses it. The
 * entry is kept whole in `raw` for `player.meta.espnPlayer`; only what the sync reads is checked.
 * See ../shared/jobs-reference.md §1.2–§1.3.
 */
import { z } from 'zod';
import type { JsonObject } from './espn-schemas.ts';

/** ESPN's roster status of an entry. */
export type EspnRosterStatus = 'FREEAGENT' | 'WAIVERS' | 'ONTEAM';

/** Loose: ESPN adds fields every season; those must neither break the sync nor be dropped from `raw`. */
export const espnPlayerEntrySchema = z.looseObject({
  id: z.number().int().positive(),
  onTeamId: z.number().int().nonnegative().optional(),
  status: z.string().optional(),
  player: z.looseObject({
    id: z.number().int().positive().optional(),
    fullName: z.string().optional(),
    proTeamId: z.number().int().nonnegative().optional(),
    defaultPositionId: z.number().int().nonnegative().optional(),
  }),
});

/** One page of the pool: `{"players": [...]}`. */
export const espnPlayerPageSchema = z.looseObject({ players: z.array(espnPlayerEntrySchema) });

/** A pool entry as the sync works with it. */
export interface EspnPlayer {
  /** ESPN's player id: `player."playerDataId"`. */
  readonly id: number;
  /** `player.fullName`, trimmed; undefined when ESPN sent none. */
  readonly fullName: string | undefined;
  readonly status: string | undefined;
  /** The fantasy team (`team."espnId"`) holding the player when `status` is ONTEAM. */
  readonly onTeamId: number | undefined;
  readonly proTeamId: number | undefined;
  /** Upper-case MLB abbreviation (`CHW`, `WSH`), null for free agents (0) and unknown ids. */
  readonly mlbTeam: string | null;
  readonly defaultPositionId: number | undefined;
  /** SP, C, 1B … RP, or null. */
  readonly position: string | null;
  /** The entry exactly as received. */
  readonly raw: JsonObject;
}

/** §1.3: proTeamId → abbreviation; 0 is a free agent (no team). */
const mlbTeams: Readonly<Record<number, string>> = {
  1: 'Bal', 2: 'Bos', 3: 'LAA', 4: 'ChW', 5: 'Cle', 6: 'Det', 7: 'KC', 8: 'Mil', 9: 'Min', 10: 'NYY',
  11: 'Oak', 12: 'Sea', 13: 'Tex', 14: 'Tor', 15: 'Atl', 16: 'ChC', 17: 'Cin', 18: 'Hou', 19: 'LAD', 20: 'Wsh',
  21: 'NYM', 22: 'Phi', 23: 'Pit', 24: 'StL', 25: 'SD', 26: 'SF', 27: 'Col', 28: 'Mia', 29: 'Ari', 30: 'TB',
};

/** §1.3: defaultPositionId → position. */
const positions: Readonly<Record<number, string>> = { 1: 'SP', 2: 'C', 3: '1B', 4: '2B', 5: '3B', 6: 'SS', 7: 'LF', 8: 'CF', 9: 'RF', 10: 'DH', 11: 'RP' };

/** The stored MLB team of a proTeamId: upper-case abbreviation, or null (free agent, unknown). */
export function mlbTeamOf(proTeamId: number | undefined): string | null {
  if (proTeamId === undefined) return null;
  return mlbTeams[proTeamId]?.toUpperCase() ?? null;
}

/** The position of a defaultPositionId, or null. */
export function positionOf(defaultPositionId: number | undefined): string | null {
  if (defaultPositionId === undefined) return null;
  return positions[defaultPositionId] ?? null;
}

/** Turns a checked entry into what the sync works with. */
export function toEspnPlayer(entry: z.infer<typeof espnPlayerEntrySchema>): EspnPlayer {
  const fullName = entry.player.fullName?.trim();
  return {
    id: entry.id,
    fullName: fullName ? fullName : undefined,
    status: entry.status,
    onTeamId: entry.onTeamId,
    proTeamId: entry.player.proTeamId,
    mlbTeam: mlbTeamOf(entry.player.proTeamId),
    defaultPositionId: entry.player.defaultPositionId,
    position: positionOf(entry.player.defaultPositionId),
    raw: entry as JsonObject,
  };
}
