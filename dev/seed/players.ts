import type { Faker } from '@faker-js/faker';
import type { JsonObject } from '../../src/db/types.generated.ts';
import { injuryStatuses, positionWeights, proTeams, sheetPositions } from './espn-codes.ts';
import { fakerFor, type SeasonDates, type SeedRow } from './seed-league.ts';
import { seedId } from './seed-ids.ts';
import { LEAGUE_SIZE } from './teams.ts';

const MAJORS_PER_TEAM = 26;
const FREE_AGENT_MAJORS = 80;
/** Per team: high-minors then low-minors prospects, as the sheet lists them. */
const MINORS_PER_LEVEL = 6;
const UNOWNED_MINORS = 15;

export interface SeedPlayers {
  readonly player: SeedRow<'player'>[];
  /** Player ids per team index, to trade from. */
  readonly majorsByTeam: readonly (readonly string[])[];
  readonly minorsByTeam: readonly (readonly string[])[];
}

/**
 * One ESPN player-pool entry, as the players sync stores it whole in `meta.espnPlayer`:
 * `{id, onTeamId, status, player: {...}, ...}` (upstreams.md), without the bulky `stats`.
 */
function espnPlayerEntry(faker: Faker, espnId: number, onTeamId: number): { entry: JsonObject; name: string; mlbTeam: string; position: string } {
  const firstName = faker.person.firstName('male');
  const lastName = faker.person.lastName();
  const position = faker.helpers.weightedArrayElement([...positionWeights]);
  const proTeamId = faker.number.int({ min: 1, max: 30 });
  const injured = faker.datatype.boolean(0.1);
  const percentOwned = onTeamId === 0 ? faker.number.float({ min: 0, max: 40, fractionDigits: 4 }) : faker.number.float({ min: 40, max: 100, fractionDigits: 4 });
  const player: JsonObject = {
    active: true,
    defaultPositionId: position.id,
    droppable: true,
    eligibleSlots: [...position.eligibleSlots],
    firstName,
    fullName: `${firstName} ${lastName}`,
    id: espnId,
    injured,
    injuryStatus: injured ? faker.helpers.arrayElement(injuryStatuses) : 'ACTIVE',
    lastName,
    ownership: {
      percentChange: faker.number.float({ min: -2, max: 2, fractionDigits: 4 }),
      percentOwned,
      percentStarted: faker.number.float({ min: 0, max: percentOwned, fractionDigits: 4 }),
    },
    proTeamId,
    universeId: 1,
  };
  const entry: JsonObject = {
    draftAuctionValue: 0,
    id: espnId,
    keeperValue: faker.number.int({ min: 1, max: 30 }),
    keeperValueFuture: faker.number.int({ min: 1, max: 30 }),
    lineupLocked: false,
    onTeamId,
    player,
    rosterLocked: false,
    status: onTeamId === 0 ? faker.helpers.arrayElement(['FREEAGENT', 'WAIVERS']) : 'ONTEAM',
    tradeLocked: false,
  };
  return { entry, name: `${firstName} ${lastName}`, mlbTeam: proTeams[proTeamId] ?? '', position: position.name };
}

/** Major leaguers on every roster and in the free-agent pool, minor leaguers on every team and a few unowned. */
export function generatePlayers(dates: SeasonDates, teamIds: readonly string[]): SeedPlayers {
  const faker = fakerFor('players');
  const player: SeedRow<'player'>[] = [];
  const majorsByTeam: string[][] = Array.from({ length: LEAGUE_SIZE }, () => []);
  const minorsByTeam: string[][] = Array.from({ length: LEAGUE_SIZE }, () => []);
  const espnIds = new Set<number>();
  const created = new Date(Date.UTC(dates.offseasonStart.getUTCFullYear() - 1, 2, 1));

  const majorsCount = LEAGUE_SIZE * MAJORS_PER_TEAM + FREE_AGENT_MAJORS;
  for (let index = 0; index < majorsCount; index += 1) {
    const teamIndex = index < LEAGUE_SIZE * MAJORS_PER_TEAM ? Math.floor(index / MAJORS_PER_TEAM) : undefined;
    let espnId: number;
    do espnId = faker.number.int({ min: 30_000, max: 4_999_999 });
    while (espnIds.has(espnId));
    espnIds.add(espnId);
    const { entry, name, mlbTeam, position } = espnPlayerEntry(faker, espnId, teamIndex === undefined ? 0 : teamIndex + 1);
    const id = seedId('player', 'major', index);
    if (teamIndex !== undefined) majorsByTeam[teamIndex]?.push(id);
    player.push({
      id,
      dateCreated: created,
      dateModified: dates.lastSynced,
      name,
      league: '1',
      mlbTeam,
      meta: { espnPlayer: entry, position },
      playerDataId: espnId,
      leagueTeamId: teamIndex === undefined ? null : (teamIds[teamIndex] ?? null),
      lastSyncedAt: dates.lastSynced,
    });
  }

  const minorsCount = LEAGUE_SIZE * MINORS_PER_LEVEL * 2 + UNOWNED_MINORS;
  for (let index = 0; index < minorsCount; index += 1) {
    const teamIndex = index < LEAGUE_SIZE * MINORS_PER_LEVEL * 2 ? Math.floor(index / (MINORS_PER_LEVEL * 2)) : undefined;
    const leagueLevel = teamIndex === undefined ? faker.helpers.arrayElement(['HM', 'LM']) : index % (MINORS_PER_LEVEL * 2) < MINORS_PER_LEVEL ? 'HM' : 'LM';
    const name = `${faker.person.firstName('male')} ${faker.person.lastName()}`;
    const mlbTeam = proTeams[faker.number.int({ min: 1, max: 30 })] ?? '';
    const position = faker.helpers.arrayElement(sheetPositions);
    const id = seedId('player', 'minor', index);
    if (teamIndex !== undefined) minorsByTeam[teamIndex]?.push(id);
    player.push({
      id,
      dateCreated: created,
      dateModified: dates.lastSynced,
      name,
      league: '2',
      mlbTeam,
      meta: { minorLeaguePlayerFromSheet: { name, mlbTeam, position, leagueLevel }, position },
      playerDataId: null,
      leagueTeamId: teamIndex === undefined ? null : (teamIds[teamIndex] ?? null),
      lastSyncedAt: dates.lastSynced,
    });
  }
  return { player, majorsByTeam, minorsByTeam };
}
