/**
 * The league's two Google Sheets as the seeded league would have them (jobs-reference §2.3, §3.3):
 * its 20 owners (users with a csvName and a team) in 4 groups of 5, the minors sheet listing each
 * team's seeded minor leaguers as the sheet wrote them (`meta.minorLeaguePlayerFromSheet`), the
 * picks sheet listing in each owner's block the picks that team holds, round by round.
 */
import type { SeedLeague } from '../../seed/seed-league.ts';
import { buildDraftPicksSheet } from './draft-picks-sheet.ts';
import { buildMinorsSheet, type MinorsSheetPlayerSpec } from './minors-sheet.ts';

type Five<T> = readonly [T, T, T, T, T];

interface SheetOwner {
  readonly csvName: string;
  readonly teamId: string;
}

/** The owners in team order, five to a group; a league that cannot fill four groups has no sheets. */
function ownerGroups(league: SeedLeague): Five<SheetOwner>[] {
  const owners = league.team.flatMap((team) => {
    const user = league.user.find((each) => each.teamId === team.id && each.csvName);
    return user?.csvName ? [{ csvName: user.csvName, teamId: String(team.id) }] : [];
  });
  const groups: Five<SheetOwner>[] = [];
  for (let start = 0; start + 5 <= owners.length && groups.length < 4; start += 5) {
    groups.push(owners.slice(start, start + 5) as unknown as Five<SheetOwner>);
  }
  if (groups.length < 4) throw new Error(`the seeded league has ${owners.length} owners with a csvName; the sheets need 20`);
  return groups;
}

function namesOf(group: Five<SheetOwner>): Five<string> {
  return group.map((owner) => owner.csvName) as unknown as Five<string>;
}

interface SheetMeta {
  readonly minorLeaguePlayerFromSheet?: { name?: string; mlbTeam?: string; position?: string; leagueLevel?: string };
}

/** The minors sheet: each owner's seeded minor leaguers, high minors first. */
export function seededMinorsSheet(league: SeedLeague): string[][] {
  const playersOf = (teamId: string): MinorsSheetPlayerSpec[] =>
    league.player.flatMap((player) => {
      const sheet = (player.meta as SheetMeta | null)?.minorLeaguePlayerFromSheet;
      if (player.league !== '2' || player.leagueTeamId !== teamId || !sheet) return [];
      const leagueLevel = sheet.leagueLevel === 'LM' ? 'LM' : 'HM';
      return [{ name: sheet.name ?? player.name, leagueLevel, position: sheet.position ?? '', mlbTeam: sheet.mlbTeam ?? player.mlbTeam ?? '' }];
    });
  return buildMinorsSheet({
    groups: ownerGroups(league).map((group) => ({ owners: namesOf(group), players: group.map((owner) => playersOf(owner.teamId)) })),
  });
}

/** Sheet row index → the seed's pick (type label and round): rows 0–9 majors 1–10, 10 HM1, 11–14 LM1, LM3, LM4, LM5. */
const pickAtRow: readonly { readonly type: '1' | '2' | '3'; readonly round: number }[] = [
  ...Array.from({ length: 10 }, (_, index) => ({ type: '1' as const, round: index + 1 })),
  { type: '2', round: 1 },
  ...[1, 3, 4, 5].map((round) => ({ type: '3' as const, round })),
];

/** The picks sheet: in each owner's block, the pick of that round the team holds (its own first), or a cleared slot. */
export function seededDraftPicksSheet(league: SeedLeague): string[][] {
  const groups = ownerGroups(league);
  const csvNameOf = new Map(groups.flat().map((owner) => [owner.teamId, owner.csvName]));
  return buildDraftPicksSheet({
    groups: groups.map((group) => ({ owners: namesOf(group) })),
    picks: ({ group, block, index }) => {
      const holder = groups[group]?.[block];
      const slot = pickAtRow[index];
      if (!holder || !slot) return { cleared: true };
      const held = league.draft_pick.filter((pick) => pick.currentOwnerId === holder.teamId && pick.type === slot.type && Number(pick.round) === slot.round);
      const pick = held.find((each) => each.originalOwnerId === holder.teamId) ?? held[0];
      const original = pick?.originalOwnerId ? csvNameOf.get(String(pick.originalOwnerId)) : undefined;
      return original ? { originalOwner: original } : { cleared: true };
    },
  });
}
