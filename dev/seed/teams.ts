import type { Faker } from '@faker-js/faker';
import type { JsonObject } from '../../src/db/types.generated.ts';
import { fakerFor, type SeasonDates, type SeedRow } from './seed-league.ts';
import { espnMember, espnTeamOf } from './espn-league.ts';
import { seedEspnGuid, seedId } from './seed-ids.ts';

/** Teams in the ESPN league (`espnId` 1–20), as in the real league: 4 groups of 5 owners on the sheets. */
export const LEAGUE_SIZE = 20;

/** Teams with a second owner (the owner's schema allows co-owners); their co-owners are users 20, 21, … */
const COOWNED_TEAMS = [2, 5, 11, 17] as const;

/** Users beyond the owners: co-owners (the last of whom has left), then a commissioner with no team. */
const COMMISSIONER_USER = LEAGUE_SIZE + COOWNED_TEAMS.length;
const INACTIVE_USER = COMMISSIONER_USER - 1;

export interface SeedTeams {
  readonly team: SeedRow<'team'>[];
  readonly user: SeedRow<'user'>[];
  readonly espnTeams: JsonObject[];
  readonly espnMembers: JsonObject[];
  /** For each team index, its users' ids, the main owner first. */
  readonly ownersByTeam: readonly (readonly string[])[];
}

function plural(word: string): string {
  if (/(s|x|ch|sh)$/.test(word)) return `${word}es`;
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  return `${word}s`;
}

const capitalise = (words: string) => words.replace(/\b\w/g, (letter) => letter.toUpperCase());

/** Like `make`, but never returns a value `taken` already holds. */
function unique<T>(taken: Set<T>, make: () => T): T {
  for (;;) {
    const value = make();
    if (!taken.has(value)) {
      taken.add(value);
      return value;
    }
  }
}

/** The first candidate `taken` does not hold yet, now taken. */
function firstFree(taken: Set<string>, candidates: readonly string[]): string {
  const free = candidates.find((candidate) => !taken.has(candidate)) ?? candidates.join(' ');
  taken.add(free);
  return free;
}

function teamName(faker: Faker): string {
  return `${faker.location.city()} ${plural(capitalise(faker.animal.type()))}`;
}

function abbrevOf(name: string): string {
  const initials = name.split(/\s+/).map((word) => word.charAt(0)).join('');
  return (initials.length >= 3 ? initials : name.replace(/\s+/g, '').slice(0, 4)).toUpperCase();
}

/** The owners, their teams, and both as ESPN shows them (`teams[]` and `members[]` of `?view=mTeam`). */
export function generateTeams(dates: SeasonDates): SeedTeams {
  const faker = fakerFor('teams');
  const names = new Set<string>();
  const abbrevs = new Set<string>();
  const emails = new Set<string>();
  const csvNames = new Set<string>();
  const team: SeedRow<'team'>[] = [];
  const user: SeedRow<'user'>[] = [];
  const espnTeams: JsonObject[] = [];
  const espnMembers: JsonObject[] = [];
  const ownerIndexes: number[][] = Array.from({ length: LEAGUE_SIZE }, () => []);

  const userCount = COMMISSIONER_USER + 1;
  for (let index = 0; index < userCount; index += 1) {
    // The inactive co-owner has left: no team, and ESPN no longer lists him.
    const teamIndex = index === INACTIVE_USER ? undefined : index < LEAGUE_SIZE ? index : COOWNED_TEAMS[index - LEAGUE_SIZE];
    const firstName = faker.person.firstName();
    const lastName = faker.person.lastName();
    const displayName = `${firstName} ${lastName}`;
    const email = unique(emails, () => faker.internet.email({ firstName, lastName, provider: 'example.com' }).toLowerCase());
    // The sheets name each team's main owner, by first name as the league writes them.
    const csvName = index < LEAGUE_SIZE ? firstFree(csvNames, [firstName, `${firstName} ${lastName.charAt(0)}`, displayName, `${displayName} ${index}`]) : null;
    const discordUserId = faker.datatype.boolean(0.8) ? faker.string.numeric({ length: 18, allowLeadingZeros: false }) : null;
    const lastLoggedIn = faker.date.between({ from: dates.offseasonStart, to: dates.lastSynced });
    const userSettings: JsonObject = faker.datatype.boolean(0.15)
      ? {}
      : {
          schemaVersion: 1,
          settingsUpdatedAt: faker.date.between({ from: dates.offseasonStart, to: lastLoggedIn }).toISOString(),
          notifications: { tradeActionEmail: faker.datatype.boolean(0.9), tradeActionDiscordDm: discordUserId !== null && faker.datatype.boolean(0.6) },
        };
    const id = seedId('user', index);
    if (teamIndex !== undefined) ownerIndexes[teamIndex]?.push(index);
    const member = espnMember(faker, index, firstName, lastName);
    if (teamIndex !== undefined) espnMembers.push(member);
    user.push({
      id,
      dateCreated: faker.date.between({ from: new Date(Date.UTC(2019, 0, 1)), to: dates.offseasonStart }),
      dateModified: lastLoggedIn,
      email,
      password: null,
      displayName,
      slackUsername: null,
      role: index === 0 ? '1' : index === COMMISSIONER_USER ? '3' : '2',
      lastLoggedIn,
      passwordResetExpiresOn: null,
      passwordResetToken: null,
      status: index === INACTIVE_USER ? '2' : '1',
      csvName,
      espnMember: teamIndex === undefined ? null : member,
      teamId: teamIndex === undefined ? null : seedId('team', teamIndex),
      discordUserId,
      userSettings,
    });
  }

  for (let index = 0; index < LEAGUE_SIZE; index += 1) {
    const name = unique(names, () => teamName(faker));
    const abbrev = unique(abbrevs, () => {
      const base = abbrevOf(name);
      return abbrevs.has(base) ? `${base.slice(0, 3)}${faker.string.alpha({ length: 1, casing: 'upper' })}` : base;
    });
    const owners = (ownerIndexes[index] ?? []).map((userIndex) => seedEspnGuid('member', userIndex));
    const espnTeam = espnTeamOf(faker, { index, name, abbrev, owners, leagueSize: LEAGUE_SIZE });
    espnTeams.push(espnTeam);
    team.push({
      id: seedId('team', index),
      dateCreated: new Date(Date.UTC(2019, 1, 1)),
      dateModified: dates.lastSynced,
      espnId: index + 1,
      name,
      status: '1',
      espnTeam,
      lastSyncedAt: dates.lastSynced,
    });
  }
  // A franchise that folded before ESPN: no ESPN id, disabled, as old leagues have.
  team.push({
    id: seedId('team', LEAGUE_SIZE),
    dateCreated: new Date(Date.UTC(2019, 1, 1)),
    dateModified: new Date(Date.UTC(2021, 10, 1)),
    espnId: null,
    name: unique(names, () => teamName(faker)),
    status: '2',
    espnTeam: null,
    lastSyncedAt: null,
  });
  const ownersByTeam = ownerIndexes.map((indexes) => indexes.map((userIndex) => seedId('user', userIndex)));
  return { team, user, espnTeams, espnMembers, ownersByTeam };
}
