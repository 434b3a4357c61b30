import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultUserSettings,
  discordDmDecision,
  loadNotificationTarget,
  normaliseUserSettings,
  tradeEmailDecision,
  type UserSettings,
} from '../../src/jobs/notification-settings.ts';
import type { Pool } from 'pg';
import { closeOwnerDb, createOwnerDb, type OwnerDb } from '../../src/db/database.ts';
import type { OwnerDB } from '../../src/db/owner-contract.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const defaults: UserSettings = { schemaVersion: 1, settingsUpdatedAt: null, notifications: { tradeActionDiscordDm: false, tradeActionEmail: true } };

const settings = (dm: boolean, email: boolean, extra: Partial<UserSettings> = {}): UserSettings => ({
  schemaVersion: 1,
  settingsUpdatedAt: null,
  ...extra,
  notifications: { tradeActionDiscordDm: dm, tradeActionEmail: email },
});

describe('normaliseUserSettings (§5.2)', () => {
  test('the defaults: email on, Discord DMs off, version 1, never updated', () => {
    assert.deepEqual(defaultUserSettings, defaults);
  });

  for (const [name, raw] of [
    ['undefined', undefined],
    ['null', null],
    ['{}', {}],
    ['an array', [{ notifications: { tradeActionDiscordDm: true } }]],
    ['a string', '{"notifications":{"tradeActionDiscordDm":true}}'],
    ['a number', 2],
    ['a boolean', true],
  ] as const) {
    test(`${name} gives the defaults`, () => assert.deepEqual(normaliseUserSettings(raw), defaults));
  }

  test('a complete, well-typed value is kept as stored', () => {
    const stored = { schemaVersion: 3, settingsUpdatedAt: '2026-03-01T10:00:00.000Z', notifications: { tradeActionDiscordDm: true, tradeActionEmail: false } };
    assert.deepEqual(normaliseUserSettings(stored), stored);
  });

  test('the opposite choices are kept too (no field stuck at one value)', () => {
    assert.deepEqual(normaliseUserSettings({ notifications: { tradeActionDiscordDm: false, tradeActionEmail: true } }), defaults);
    assert.deepEqual(normaliseUserSettings({ notifications: { tradeActionDiscordDm: true, tradeActionEmail: true } }), settings(true, true));
    assert.deepEqual(normaliseUserSettings({ notifications: { tradeActionDiscordDm: false, tradeActionEmail: false } }), settings(false, false));
  });

  test('a missing, null or non-boolean flag takes its default, alone', () => {
    for (const bad of [undefined, null, 'true', 1, 0, {}, []]) {
      assert.deepEqual(normaliseUserSettings({ notifications: { tradeActionDiscordDm: bad, tradeActionEmail: false } }), settings(false, false), `dm ${String(bad)}`);
      assert.deepEqual(normaliseUserSettings({ notifications: { tradeActionDiscordDm: true, tradeActionEmail: bad } }), settings(true, true), `email ${String(bad)}`);
    }
    assert.deepEqual(normaliseUserSettings({ notifications: { tradeActionDiscordDm: true } }), settings(true, true));
    assert.deepEqual(normaliseUserSettings({ notifications: { tradeActionEmail: false } }), settings(false, false));
  });

  test('notifications that are not an object give the default flags; the other fields stay', () => {
    for (const bad of [null, 'on', true, [true, false]]) {
      assert.deepEqual(normaliseUserSettings({ schemaVersion: 2, notifications: bad }), { ...defaults, schemaVersion: 2 }, String(bad));
    }
  });

  test('schemaVersion: an integer is kept; anything else is 1, alone', () => {
    assert.equal(normaliseUserSettings({ schemaVersion: 2 }).schemaVersion, 2);
    for (const bad of ['2', 1.5, null, true, {}]) {
      const result = normaliseUserSettings({ schemaVersion: bad, settingsUpdatedAt: 'x', notifications: { tradeActionDiscordDm: true } });
      assert.deepEqual(result, settings(true, true, { settingsUpdatedAt: 'x' }), String(bad));
    }
  });

  test('settingsUpdatedAt: a string is kept; anything else is null, alone', () => {
    assert.equal(normaliseUserSettings({ settingsUpdatedAt: '2026-01-01T00:00:00Z' }).settingsUpdatedAt, '2026-01-01T00:00:00Z');
    for (const bad of [null, 1767225600000, true, {}]) {
      const result = normaliseUserSettings({ schemaVersion: 4, settingsUpdatedAt: bad, notifications: { tradeActionEmail: false } });
      assert.deepEqual(result, settings(false, false, { schemaVersion: 4 }), String(bad));
    }
  });
});

describe('discordDmDecision', () => {
  const on = settings(true, true);
  const off = settings(false, true);

  test('a snowflake with DMs on is sent to, trimmed', () => {
    assert.deepEqual(discordDmDecision({ discordUserId: '12345678901234567', settings: on }), { send: true, discordUserId: '12345678901234567' });
    assert.deepEqual(discordDmDecision({ discordUserId: ' 12345678901234567890 ', settings: on }), { send: true, discordUserId: '12345678901234567890' });
  });

  test('no id (null, empty, spaces) is no_discord_user_id, whatever the settings', () => {
    for (const discordUserId of [null, '', '   ']) {
      assert.deepEqual(discordDmDecision({ discordUserId, settings: on }), { send: false, reason: 'no_discord_user_id' });
      assert.deepEqual(discordDmDecision({ discordUserId, settings: off }), { send: false, reason: 'no_discord_user_id' });
    }
  });

  test('DMs off is dm_disabled, before the id is checked', () => {
    assert.deepEqual(discordDmDecision({ discordUserId: '123456789012345678', settings: off }), { send: false, reason: 'dm_disabled' });
    assert.deepEqual(discordDmDecision({ discordUserId: 'not-a-snowflake', settings: off }), { send: false, reason: 'dm_disabled' });
  });

  test('an id that is not 17 to 20 digits is invalid_discord_user_id', () => {
    for (const discordUserId of ['1234567890123456', '123456789012345678901', 'abc', '12345678901234567a', '1234567890 1234567', '-12345678901234567', '１２３４５６７８９０１２３４５６７８']) {
      assert.deepEqual(discordDmDecision({ discordUserId, settings: on }), { send: false, reason: 'invalid_discord_user_id' }, discordUserId);
    }
  });
});

describe('tradeEmailDecision', () => {
  test('on: send; off: email_disabled; the DM setting plays no part', () => {
    assert.deepEqual(tradeEmailDecision(settings(false, true)), { send: true });
    assert.deepEqual(tradeEmailDecision(settings(true, false)), { send: false, reason: 'email_disabled' });
    assert.deepEqual(tradeEmailDecision(normaliseUserSettings(null)), { send: true }, 'the default');
  });
});

describe('loadNotificationTarget', () => {
  let database: TestDatabase;
  /** The worker's view of the same database: typed by the contract, as the jobs get it. */
  let owner: { db: OwnerDb; pool: Pool };
  let db: OwnerDb;
  const id = (n: number) => `0000000b-0000-4000-8000-${String(n).padStart(12, '0')}`;

  before(async () => {
    database = await createTestDatabase();
    await database.db
      .insertInto('user')
      .values([
        {
          id: id(1),
          email: 'ann@example.com',
          displayName: 'Ann',
          discordUserId: ' 123456789012345678 ',
          userSettings: { schemaVersion: 2, settingsUpdatedAt: '2026-02-02T00:00:00Z', notifications: { tradeActionDiscordDm: true, tradeActionEmail: 'no' } },
        },
        { id: id(2), email: 'bob@example.com', displayName: null, discordUserId: '   ', userSettings: null },
        { id: id(3), email: 'cy@example.com', displayName: 'Cy', discordUserId: null },
      ])
      .execute();
    owner = createOwnerDb<OwnerDB>({ url: database.url, poolMax: 2 });
    db = owner.db;
  });

  after(async () => {
    if (owner) await closeOwnerDb(owner);
    await database?.drop();
  });

  test('a user with a Discord id and settings: the id trimmed, each field normalised', async () => {
    assert.deepEqual(await loadNotificationTarget(db, id(1)), {
      userId: id(1),
      email: 'ann@example.com',
      displayName: 'Ann',
      discordUserId: '123456789012345678',
      settings: { schemaVersion: 2, settingsUpdatedAt: '2026-02-02T00:00:00Z', notifications: { tradeActionDiscordDm: true, tradeActionEmail: true } },
    });
  });

  test('a blank Discord id is null; null settings and the column default ({}) are the defaults', async () => {
    assert.deepEqual(await loadNotificationTarget(db, id(2)), { userId: id(2), email: 'bob@example.com', displayName: null, discordUserId: null, settings: defaults });
    assert.deepEqual(await loadNotificationTarget(db, id(3)), { userId: id(3), email: 'cy@example.com', displayName: 'Cy', discordUserId: null, settings: defaults });
  });

  test('the loaded user feeds the decisions', async () => {
    const ann = await loadNotificationTarget(db, id(1));
    assert.ok(ann);
    assert.deepEqual(discordDmDecision(ann), { send: true, discordUserId: '123456789012345678' });
    const bob = await loadNotificationTarget(db, id(2));
    assert.ok(bob);
    assert.deepEqual(discordDmDecision(bob), { send: false, reason: 'no_discord_user_id' });
  });

  test('an unknown id and a non-UUID id are undefined, never an error', async () => {
    assert.equal(await loadNotificationTarget(db, id(99)), undefined);
    for (const bad of ['not-a-uuid', '', `${id(1)}x`]) assert.equal(await loadNotificationTarget(db, bad), undefined, bad);
  });
});
