/**
 * The owners the league's sheets name, resolved to teams: `user."csvName"` → `user."teamId"` (§2.4),
 * matched after normalising case and whitespace on both sides (§2.6: the previous worker only
 * trimmed). Two users whose names normalise alike but hold different teams make that name
 * ambiguous: it resolves to nothing, and the sync reports it like an unknown owner.
 */
import type { OwnerDb } from '../../db/database.ts';

/** `  Akos   BALOGH ` → `akos balogh`: how a sheet's owner cell and a csvName are compared. */
export function normaliseOwnerName(name: string): string {
  return name.normalize('NFKC').replace(/\s+/gu, ' ').trim().toLocaleLowerCase('en-US');
}

export interface OwnerMap {
  /** The team of the owner the sheet names, or undefined (unknown, blank, or ambiguous). */
  teamOf(sheetName: string): string | undefined;
  /** Normalised names several users share with different teams (reported, never guessed). */
  readonly ambiguous: readonly string[];
  /** How many users with a csvName and a team were read. */
  readonly size: number;
}

/** Reads every user with a csvName and a team, in one query. */
export async function loadOwnerMap(db: OwnerDb): Promise<OwnerMap> {
  const users = await db
    .selectFrom('user')
    .select(['csvName', 'teamId'])
    .where('csvName', 'is not', null)
    .where('teamId', 'is not', null)
    .orderBy('id')
    .execute();
  return ownerMapOf(users);
}

/** The map from rows already read; pure, for tests and for callers that read users otherwise. */
export function ownerMapOf(users: readonly { readonly csvName: string | null; readonly teamId: string | null }[]): OwnerMap {
  const teams = new Map<string, string>();
  const ambiguous = new Set<string>();
  let size = 0;
  for (const { csvName, teamId } of users) {
    if (csvName === null || teamId === null) continue;
    const key = normaliseOwnerName(csvName);
    if (key === '') continue;
    size += 1;
    const known = teams.get(key);
    if (known !== undefined && known !== teamId) ambiguous.add(key);
    else teams.set(key, teamId);
  }
  for (const key of ambiguous) teams.delete(key);
  return {
    teamOf: (sheetName) => teams.get(normaliseOwnerName(sheetName)),
    ambiguous: [...ambiguous].sort(),
    size,
  };
}
