import type { Faker } from '@faker-js/faker';
import type { TradeStatusEnum } from '../../src/db/types.generated.ts';
import { fakerFor, type SeasonDates, type SeedRow } from './seed-league.ts';
import { seedId } from './seed-ids.ts';
import { LEAGUE_SIZE } from './teams.ts';

/** What each team can trade: ids per team index. */
export interface TradeableAssets {
  readonly teamIds: readonly string[];
  readonly ownersByTeam: readonly (readonly string[])[];
  readonly majorsByTeam: readonly (readonly string[])[];
  readonly minorsByTeam: readonly (readonly string[])[];
  readonly picksByTeam: readonly (readonly string[])[];
}

export interface SeedTrades {
  readonly trade: SeedRow<'trade'>[];
  readonly trade_participant: SeedRow<'trade_participant'>[];
  readonly trade_item: SeedRow<'trade_item'>[];
}

/** Trade 0 is the one the dev banner's trade-request email is about: requested, team 0 asks team 1. */
export const SHOWCASE_TRADE = { index: 0, creatorTeam: 0, recipientTeam: 1 } as const;

/** Trades per status ('1' draft … '6' submitted), after the showcase. */
const TRADES_PER_STATUS = 3;
const statuses: readonly TradeStatusEnum[] = ['1', '2', '3', '4', '5', '6'];

/** What owners write when they say no (free text in the owner's app). */
const declineReasons = ['Not enough value coming back.', 'I want to keep my picks this year.', 'Counter-offer coming by DM.', 'Need pitching, not more bats.', 'Not moving prospects before the deadline.'];

type ItemKind = 'major' | 'minor' | 'pick';
const DAY_MS = 86_400_000;

interface PlannedTrade {
  readonly status: TradeStatusEnum;
  readonly creator: number;
  readonly recipients: readonly number[];
}

function planTrades(faker: Faker): PlannedTrade[] {
  const plans: PlannedTrade[] = [{ status: '2', creator: SHOWCASE_TRADE.creatorTeam, recipients: [SHOWCASE_TRADE.recipientTeam] }];
  for (const status of statuses) {
    for (let n = 0; n < TRADES_PER_STATUS; n += 1) {
      // Pending means some recipients accepted and others have not yet: it takes two.
      const teams = faker.helpers.arrayElements(
        Array.from({ length: LEAGUE_SIZE }, (_, index) => index),
        status === '3' || faker.datatype.boolean(0.25) ? 3 : 2,
      );
      plans.push({ status, creator: teams[0] ?? 0, recipients: teams.slice(1) });
    }
  }
  return plans;
}

function assetsOf(assets: TradeableAssets, kind: ItemKind, team: number): readonly string[] {
  const byTeam = kind === 'major' ? assets.majorsByTeam : kind === 'minor' ? assets.minorsByTeam : assets.picksByTeam;
  return byTeam[team] ?? [];
}

/**
 * Trades in every status with players (majors and minors) and picks going each way, and the
 * acceptance, decline and submission details each status implies.
 */
export function generateTrades(dates: SeasonDates, assets: TradeableAssets): SeedTrades {
  const faker = fakerFor('trades');
  const result: SeedTrades = { trade: [], trade_participant: [], trade_item: [] };
  const teamId = (team: number) => assets.teamIds[team] ?? null;
  const mainOwner = (team: number) => assets.ownersByTeam[team]?.[0] ?? null;

  for (const [index, plan] of planTrades(faker).entries()) {
    const tradeId = seedId('trade', index);
    const created = faker.date.between({ from: dates.offseasonStart, to: dates.lastSynced });
    const participants = [plan.creator, ...plan.recipients];
    for (const [position, team] of participants.entries()) {
      result.trade_participant.push({
        id: seedId('trade-participant', index, team),
        dateCreated: created,
        dateModified: created,
        participantType: position === 0 ? '1' : '2',
        tradeId,
        teamId: teamId(team),
      });
    }

    // The creator offers two or three things, each recipient one or two; the first three items
    // are one of each kind, so every trade shows majors, minors and picks.
    const used = new Set<string>();
    let itemNumber = 0;
    for (const sender of participants) {
      const count = sender === plan.creator ? faker.number.int({ min: 2, max: 3 }) : faker.number.int({ min: 1, max: 2 });
      for (let n = 0; n < count; n += 1) {
        const forced: ItemKind | undefined = (['major', 'minor', 'pick'] as const)[itemNumber];
        const kind = forced ?? faker.helpers.weightedArrayElement<ItemKind>([
          { weight: 5, value: 'major' },
          { weight: 3, value: 'minor' },
          { weight: 2, value: 'pick' },
        ]);
        const available = assetsOf(assets, kind, sender).filter((id) => !used.has(id));
        if (available.length === 0) continue;
        const itemId = faker.helpers.arrayElement(available);
        used.add(itemId);
        const recipient = sender === plan.creator ? faker.helpers.arrayElement(plan.recipients) : plan.creator;
        result.trade_item.push({
          id: seedId('trade-item', index, itemNumber),
          dateCreated: created,
          dateModified: created,
          tradeItemId: itemId,
          tradeItemType: kind === 'pick' ? '2' : '1',
          tradeId,
          senderId: teamId(sender),
          recipientId: teamId(recipient),
        });
        itemNumber += 1;
      }
    }

    const acceptedOn = new Date(created.getTime() + faker.number.int({ min: 1, max: 3 }) * DAY_MS);
    // '3' pending: the first recipient accepted, the second has not; '4' and '6': everyone accepted.
    const acceptors = plan.status === '3' ? plan.recipients.slice(0, 1) : plan.status === '4' || plan.status === '6' ? plan.recipients : [];
    const acceptedBy = acceptors.map(mainOwner).filter((id): id is string => id !== null);
    const declined = plan.status === '5';
    const submittedAt = plan.status === '6' ? new Date(acceptedOn.getTime() + faker.number.int({ min: 1, max: 36 }) * 3_600_000) : null;
    const declinedAt = declined ? new Date(created.getTime() + faker.number.int({ min: 2, max: 48 }) * 3_600_000) : null;
    result.trade.push({
      id: tradeId,
      dateCreated: created,
      dateModified: submittedAt ?? declinedAt ?? (acceptedBy.length > 0 ? acceptedOn : created),
      status: plan.status,
      declinedReason: declined ? faker.helpers.arrayElement(declineReasons) : null,
      declinedById: declined ? mainOwner(plan.recipients[0] ?? 0) : null,
      acceptedBy: acceptedBy.length > 0 ? acceptedBy : null,
      acceptedOnDate: plan.status === '4' || plan.status === '6' ? acceptedOn : null,
      acceptedByDetails: acceptedBy.length > 0 ? acceptedBy.map((id) => ({ id, date: acceptedOn.toISOString() })) : null,
      submittedAt,
      submittedById: submittedAt ? mainOwner(plan.creator) : null,
      declinedAt,
    });
  }
  return result;
}
