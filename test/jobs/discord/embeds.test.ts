import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { embedLength } from '@discordjs/builders';
import type { APIEmbed } from 'discord-api-types/v10';
import { announcementLines, buildTradeAnnouncement } from '../../../src/jobs/discord/embeds/announcement.ts';
import { EMBED_LIMITS, fitEmbed, truncate, truncateLines } from '../../../src/jobs/discord/embeds/limits.ts';
import { buildDeclinedDm, buildRequestDm, buildSubmitDm } from '../../../src/jobs/discord/embeds/trade-dms.ts';
import type { TradeItemView, TradeOwner, TradeParticipant, TradeTeam, TradeView } from '../../../src/jobs/discord/trade-view.ts';

// ---------- fixtures, built by hand ----------

const ANN = '111111111111111111';
const CY = '222222222222222222';

function owner(userId: string, o: Partial<TradeOwner> = {}): TradeOwner {
  return { userId, displayName: null, csvName: null, discordUserId: null, ...o };
}

const mud: TradeTeam = {
  id: 'team-mud',
  name: 'Mudville Nine',
  label: 'MUD',
  owners: [owner('u1', { displayName: 'Ann', csvName: 'MUD', discordUserId: ANN }), owner('u2', { displayName: 'Bob' })],
};
const iso: TradeTeam = {
  id: 'team-iso',
  name: 'Springfield Isotopes',
  label: 'Isotopes',
  owners: [owner('u3', { displayName: 'Cy', discordUserId: CY })],
};

function teamsMap(teams: readonly TradeTeam[]): Map<string, TradeTeam> {
  return new Map(teams.map((t) => [t.id, t]));
}

const typicalItems: TradeItemView[] = [
  { kind: 'major', id: 'i01', senderTeamId: mud.id, recipientTeamId: iso.id, name: 'Mike Trout', mlbTeam: 'LAA', position: 'CF' },
  { kind: 'major', id: 'i02', senderTeamId: mud.id, recipientTeamId: iso.id, name: null, mlbTeam: null, position: null },
  { kind: 'minor', id: 'i03', senderTeamId: iso.id, recipientTeamId: mud.id, name: 'Jackson Holliday', mlbTeam: 'BAL', position: 'SS', level: 'HM' },
  { kind: 'minor', id: 'i04', senderTeamId: iso.id, recipientTeamId: mud.id, name: 'Some Prospect', mlbTeam: null, position: null, level: null },
  { kind: 'pick', id: 'i05', senderTeamId: iso.id, recipientTeamId: mud.id, type: '1', round: 1.0, season: 2027, originalOwnerTeamId: iso.id },
  { kind: 'pick', id: 'i06', senderTeamId: mud.id, recipientTeamId: iso.id, type: '3', round: 22, season: 2027, originalOwnerTeamId: mud.id },
  { kind: 'pick', id: 'i07', senderTeamId: iso.id, recipientTeamId: mud.id, type: null, round: null, season: null, originalOwnerTeamId: null },
];

function trade(overrides: Partial<TradeView> = {}): TradeView {
  return {
    id: 'trade-1',
    status: '6',
    dateCreated: new Date('2026-05-01T16:00:00Z'), // <t:1777651200>
    submittedAt: new Date('2026-05-02T14:00:00Z'), // 10:00 EDT → upheld after 2026-05-03 23:00 EDT = <t:1777863600>
    participants: [
      { team: mud, role: 'creator' },
      { team: iso, role: 'recipient' },
    ],
    teams: teamsMap([mud, iso]),
    items: typicalItems,
    decliningUser: 'Cy',
    declinedReason: '  Not enough pitching  ',
    ...overrides,
  };
}

const ANNOUNCEMENT_FOOTER = { text: '🔗 Submit trades on FlexFoxFantasy TradeMachine by 11:00PM ET' };

/** The message as sent: JSON (undefined members, such as the builders' `icon_url: undefined`, vanish). */
function wire(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

function only<T>(xs: readonly T[] | undefined): T {
  assert.ok(xs);
  assert.equal(xs.length, 1);
  return xs[0]!;
}

function assertWithinLimits(embed: APIEmbed): void {
  assert.ok((embed.title?.length ?? 0) <= 256, `title ${embed.title?.length}`);
  assert.ok((embed.description?.length ?? 0) <= 4096, `description ${embed.description?.length}`);
  assert.ok((embed.fields?.length ?? 0) <= 25, `fields ${embed.fields?.length}`);
  for (const f of embed.fields ?? []) {
    assert.ok(f.name.length <= 256, `field name ${f.name.length}`);
    assert.ok(f.value.length <= 1024, `field value ${f.value.length}`);
  }
  assert.ok((embed.footer?.text.length ?? 0) <= 2048, `footer ${embed.footer?.text.length}`);
  // Counted by the builders' own helper, independent of ours.
  assert.ok(embedLength(embed) <= 6000, `total ${embedLength(embed)}`);
}

// ---------- exact messages for a typical trade ----------

describe('typical trade: exact JSON', () => {
  it('channel announcement (§5.3)', () => {
    assert.deepEqual(wire(buildTradeAnnouncement(trade())), {
      content: '',
      embeds: [
        {
          title: '🔊  A Trade Has Been Submitted  🔊',
          color: 0x3498db,
          description: [
            `**<t:1777651200:D>** | Trade requested by <@${ANN}>, @Bob`,
            `Trading with: <@${CY}>`,
            'Trade will be upheld after: <t:1777863600:F>',
            '',
            '**MUD** receives:',
            '• **Jackson Holliday** (High Minors - BAL - SS)',
            '• **Some Prospect** (Minors)',
            "• **Isotopes's** 1st round Major League pick",
            "• **Unknown's** 0th round pick",
            '',
            '**Isotopes** receives:',
            '• **Mike Trout** (Majors - LAA - CF)',
            '• **Unknown Player** (Majors)',
            "• **MUD's** 22nd round Low Minors pick",
          ].join('\n'),
          footer: ANNOUNCEMENT_FOOTER,
        },
      ],
      allowed_mentions: { parse: [], users: [ANN, CY] },
    });
  });

  const summary = [
    { name: 'Receiving: Isotopes', value: "• Mike Trout from MUD\n• Unknown Player from MUD\n• MUD's 22nd round Low Minors pick from MUD", inline: false },
    {
      name: 'Receiving: MUD',
      value: "• Jackson Holliday from Isotopes\n• Some Prospect from Isotopes\n• Isotopes's 1st round Majors pick from Isotopes\n• Unknown's 0th round pick from Isotopes",
      inline: false,
    },
  ];
  const settingsFooter = { text: 'Manage your email/Discord trade notifications at https://trades.test/dashboard' };

  it('request DM (§5.4)', () => {
    const msg = buildRequestDm(trade(), {
      recipientTeamId: iso.id,
      acceptUrl: 'https://trades.test/accept/1',
      declineUrl: 'https://trades.test/decline/1',
      settingsUrl: 'https://trades.test/dashboard',
    });
    assert.deepEqual(wire(msg), {
      content: '',
      embeds: [
        {
          title: 'Action Needed',
          color: 0x3498db,
          description: '**MUD requested a trade with you**\n\nReview what each team would receive below, then use **Accept** or **Decline**.',
          fields: summary,
          footer: settingsFooter,
        },
      ],
      allowed_mentions: { parse: [] },
      components: [
        {
          type: 1,
          components: [
            { type: 2, style: 5, label: 'Accept', url: 'https://trades.test/accept/1' },
            { type: 2, style: 5, label: 'Decline', url: 'https://trades.test/decline/1' },
          ],
        },
      ],
    });
  });

  it('submit DM (§5.4)', () => {
    assert.deepEqual(wire(buildSubmitDm(trade(), { submitUrl: 'https://trades.test/submit/1', settingsUrl: 'https://trades.test/dashboard' })), {
      content: '',
      embeds: [
        {
          title: 'Submit Your Trade',
          color: 0x3498db,
          description: '**Isotopes accepted your trade proposal**\n\nWhen you are ready, submit the trade to the league using the button below.',
          fields: summary,
          footer: settingsFooter,
        },
      ],
      allowed_mentions: { parse: [] },
      components: [{ type: 1, components: [{ type: 2, style: 5, label: 'Submit trade', url: 'https://trades.test/submit/1' }] }],
    });
  });

  it('declined DM to the creator, with a view link (§5.4)', () => {
    assert.deepEqual(
      wire(buildDeclinedDm(trade(), { isCreator: true, viewUrl: 'https://trades.test/trades/1', settingsUrl: 'https://trades.test/dashboard' })),
      {
        content: '',
        embeds: [
          {
            title: 'Trade Declined',
            color: 0x3498db,
            description:
              '**Your trade proposal was declined by Cy**\n\n**Decline reason**\nNot enough pitching\n\nOpen the trade in your browser with **View trade** below.',
            footer: settingsFooter,
          },
        ],
        allowed_mentions: { parse: [] },
        components: [{ type: 1, components: [{ type: 2, style: 5, label: 'View trade', url: 'https://trades.test/trades/1' }] }],
      },
    );
  });

  it('declined DM to another participant, no reason, no link, no settings: no components, no footer', () => {
    assert.deepEqual(wire(buildDeclinedDm(trade({ decliningUser: null, declinedReason: '   ' }), { isCreator: false, viewUrl: ' ', settingsUrl: '' })), {
      content: '',
      embeds: [{ title: 'Trade Declined', color: 0x3498db, description: '**A trade you were part of was declined by Someone**' }],
      allowed_mentions: { parse: [] },
    });
  });
});

// ---------- variants of the DMs ----------

describe('DM variants', () => {
  const shl: TradeTeam = { id: 'team-shl', name: 'Shelbyville', label: 'Shelbyville', owners: [owner('u4', { discordUserId: '333333333333333333' })] };
  const threeWay = trade({
    participants: [
      { team: mud, role: 'creator' },
      { team: iso, role: 'recipient' },
      { team: shl, role: 'recipient' },
    ],
    teams: teamsMap([mud, iso, shl]),
  });
  const urls = { acceptUrl: 'https://t.test/a', declineUrl: 'https://t.test/d' };

  it('request with several recipients says "with you and others"', () => {
    assert.match(buildRequestDm(threeWay, { ...urls, recipientTeamId: iso.id }).embeds![0]!.description!, /^\*\*MUD requested a trade with you and others\*\*\n/);
    assert.match(buildRequestDm(threeWay, urls).embeds![0]!.description!, /with you and others/);
    assert.match(buildRequestDm(trade(), urls).embeds![0]!.description!, /^\*\*MUD requested a trade with you\*\*\n/);
  });

  it('submit with several recipients says "Recipients accepted"', () => {
    assert.match(buildSubmitDm(threeWay, { submitUrl: 'https://t.test/s' }).embeds![0]!.description!, /^\*\*Recipients accepted your trade proposal\*\*\n/);
  });

  it('no items → a single "Trade details" field', () => {
    assert.deepEqual(buildRequestDm(trade({ items: [] }), urls).embeds![0]!.fields, [
      { name: 'Trade details', value: '_No player or pick details are available for this trade snapshot._', inline: false },
    ]);
  });

  it('items whose recipient team is gone are grouped under "Unknown team", sender likewise', () => {
    const fields = buildSubmitDm(
      trade({ items: [{ kind: 'major', id: 'x', senderTeamId: null, recipientTeamId: null, name: 'Lost Guy', mlbTeam: null, position: null }] }),
      { submitUrl: 'https://t.test/s' },
    ).embeds![0]!.fields;
    assert.deepEqual(fields, [{ name: 'Receiving: Unknown team', value: '• Lost Guy from Unknown team', inline: false }]);
  });

  it('a 2000-character decline reason is trimmed and cut to 450 characters ending in …', () => {
    const reason = 'x'.repeat(2000);
    const description = buildDeclinedDm(trade({ declinedReason: `\n  ${reason}  ` }), { isCreator: true }).embeds![0]!.description!;
    const shown = description.split('**Decline reason**\n')[1]!;
    assert.equal(shown.length, 450);
    assert.equal(shown, `${'x'.repeat(449)}…`);
  });

  it('a 450-character reason is shown whole', () => {
    const reason = 'y'.repeat(450);
    assert.ok(buildDeclinedDm(trade({ declinedReason: reason }), { isCreator: false }).embeds![0]!.description!.endsWith(`\n${reason}`));
  });
});

// ---------- §5.7 fixes, each named ----------

describe('§5.7 fixes', () => {
  function pick(id: string, type: '1' | '2' | '3', round: number): TradeItemView {
    return { kind: 'pick', id, senderTeamId: iso.id, recipientTeamId: mud.id, type, round, season: 2027, originalOwnerTeamId: iso.id };
  }
  const picks = trade({ items: [pick('p1', '1', 1.0), pick('p2', '2', 21), pick('p3', '3', 22), pick('p4', '1', 23), pick('p5', '2', 111), pick('p6', '3', 12)] });

  it('pick type labels come from the enum values "1"/"2"/"3" (DM summary)', () => {
    const value = only(buildSubmitDm(picks, { submitUrl: 'https://t.test/s' }).embeds![0]!.fields).value;
    assert.deepEqual(value.split('\n'), [
      "• Isotopes's 1st round Majors pick from Isotopes",
      "• Isotopes's 21st round High Minors pick from Isotopes",
      "• Isotopes's 22nd round Low Minors pick from Isotopes",
      "• Isotopes's 23rd round Majors pick from Isotopes",
      "• Isotopes's 111th round High Minors pick from Isotopes",
      "• Isotopes's 12th round Low Minors pick from Isotopes",
    ]);
  });

  it('pick type labels come from the enum values (announcement), round 1.0 → 1st, 21st/22nd/23rd/111th', () => {
    const lines = buildTradeAnnouncement(picks).embeds![0]!.description!.split('\n');
    assert.deepEqual(lines.slice(lines.indexOf('**MUD** receives:') + 1, lines.indexOf('**MUD** receives:') + 7), [
      "• **Isotopes's** 1st round Major League pick",
      "• **Isotopes's** 21st round High Minors pick",
      "• **Isotopes's** 22nd round Low Minors pick",
      "• **Isotopes's** 23rd round Major League pick",
      "• **Isotopes's** 111th round High Minors pick",
      "• **Isotopes's** 12th round Low Minors pick",
    ]);
  });

  it('an owner without a Discord id is named in a mixed mention list, and only ids are allowed to ping', () => {
    const msg = buildTradeAnnouncement(trade());
    const first = msg.embeds![0]!.description!.split('\n')[0]!;
    assert.ok(first.endsWith(`Trade requested by <@${ANN}>, @Bob`), first);
    assert.deepEqual(msg.allowed_mentions, { parse: [], users: [ANN, CY] });
  });

  it('a name such as "everyone" cannot ping: allowed_mentions parses nothing', () => {
    const rogue: TradeTeam = { ...iso, owners: [owner('u9', { displayName: 'everyone' })] };
    const msg = buildTradeAnnouncement(trade({ participants: [{ team: mud, role: 'creator' }, { team: rogue, role: 'recipient' }] }));
    assert.match(msg.embeds![0]!.description!, /\nTrading with: @everyone\n/);
    assert.deepEqual(msg.allowed_mentions, { parse: [], users: [ANN] });
  });

  it('the uphold deadline comes from submittedAt: two builds at different times are equal', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: new Date('2026-05-02T14:00:01Z') });
    const first = buildTradeAnnouncement(trade());
    t.mock.timers.setTime(Date.parse('2026-05-09T20:00:00Z')); // a retry a week later
    const retry = buildTradeAnnouncement(trade());
    t.mock.timers.reset();
    assert.deepEqual(retry, first);
    assert.match(first.embeds![0]!.description!, /\nTrade will be upheld after: <t:1777863600:F>\n/);
  });

  it('the uphold deadline follows submittedAt (and falls back to dateCreated)', () => {
    const later = buildTradeAnnouncement(trade({ submittedAt: new Date('2026-05-04T14:00:00Z') })).embeds![0]!.description!;
    assert.match(later, /upheld after: <t:1778036400:F>/); // 2026-05-05 23:00 EDT
    const none = buildTradeAnnouncement(trade({ submittedAt: null })).embeds![0]!.description!;
    assert.match(none, /upheld after: <t:1777777200:F>/); // from 2026-05-01 12:00 EDT → 2026-05-02 23:00 EDT
  });

  it('DST: a trade submitted the day before the 2026-03-08 switch is upheld at 23:00 EDT', () => {
    const d = buildTradeAnnouncement(trade({ submittedAt: new Date('2026-03-07T17:00:00Z') })).embeds![0]!.description!;
    assert.match(d, new RegExp(`upheld after: <t:${Date.parse('2026-03-09T03:00:00Z') / 1000}:F>`));
  });

  it('DST: a trade submitted the day before the 2026-11-01 switch is upheld at 23:00 EST', () => {
    const d = buildTradeAnnouncement(trade({ submittedAt: new Date('2026-10-31T16:00:00Z') })).embeds![0]!.description!;
    assert.match(d, new RegExp(`upheld after: <t:${Date.parse('2026-11-02T04:00:00Z') / 1000}:F>`));
  });
});

// ---------- limits ----------

describe('embed limits', () => {
  function bigTrade(itemCount: number, recipientCount: number): TradeView {
    const creator: TradeTeam = { ...mud };
    const recipients: TradeTeam[] = Array.from({ length: recipientCount }, (_, i) => ({
      id: `team-r${String(i).padStart(2, '0')}`,
      name: `Recipient ${i}`,
      label: `Recipient Team Number ${String(i).padStart(2, '0')} With A Long Name`,
      owners: [owner(`ur${i}`, { displayName: `Owner ${i}`, discordUserId: `4${String(i).padStart(17, '0')}` })],
    }));
    const participants: TradeParticipant[] = [{ team: creator, role: 'creator' }, ...recipients.map((team) => ({ team, role: 'recipient' as const }))];
    const items: TradeItemView[] = Array.from({ length: itemCount }, (_, i) => ({
      kind: 'major' as const,
      id: `item-${String(i).padStart(3, '0')}`,
      senderTeamId: creator.id,
      recipientTeamId: recipients[i % recipientCount]!.id,
      name: `Player Number ${String(i).padStart(3, '0')} With Quite A Long Name`,
      mlbTeam: 'NYY',
      position: 'SS',
    }));
    return trade({ participants, teams: teamsMap([creator, ...recipients]), items });
  }

  it('a trade with 200 items: the announcement stays within every limit, dropping whole lines with "… and N more"', () => {
    const t = bigTrade(200, 2);
    const embed = buildTradeAnnouncement(t).embeds![0]!;
    assertWithinLimits(embed);
    const lines = embed.description!.split('\n');
    const last = lines.at(-1)!;
    const m = /^… and (\d+) more$/.exec(last);
    assert.ok(m, last);
    // The kept lines are whole lines, a prefix of the untruncated description, and the count adds up.
    const full = announcementLines(t);
    assert.ok(full.join('\n').length > 4096, 'the fixture must overflow the description');
    const kept = lines.slice(0, -1);
    assert.deepEqual(kept, full.slice(0, kept.length));
    assert.equal(kept.filter((l) => l !== '').length + Number(m[1]), full.filter((l) => l !== '').length);
  });

  it('a trade with 200 items: each DM stays within every limit (fields shortened to meet the 6000 total)', () => {
    const t = bigTrade(200, 2);
    for (const msg of [
      buildRequestDm(t, { acceptUrl: 'https://t.test/a', declineUrl: 'https://t.test/d', settingsUrl: 'https://t.test/s' }),
      buildSubmitDm(t, { submitUrl: 'https://t.test/s', settingsUrl: 'https://t.test/s' }),
    ]) {
      const embed = msg.embeds![0]!;
      assertWithinLimits(embed);
      for (const f of embed.fields!) assert.match(f.value.split('\n').at(-1)!, /^… and \d+ more$/);
    }
  });

  it('30 recipient teams: 8 summary fields, then one field saying how many teams more, all within 6000', () => {
    const t = bigTrade(200, 30);
    const embed = buildRequestDm(t, { acceptUrl: 'https://t.test/a', declineUrl: 'https://t.test/d' }).embeds![0]!;
    assertWithinLimits(embed);
    assert.equal(embed.fields!.length, 9);
    assert.deepEqual(
      embed.fields!.slice(0, 8).map((f) => f.name),
      Array.from({ length: 8 }, (_, i) => `Receiving: Recipient Team Number 0${i} With A Long Name`),
    );
    const more = embed.fields![8]!;
    assert.equal(more.name, '… and 22 more teams');
    assert.ok(more.value.startsWith('Also receiving: Recipient Team Number 08 With A Long Name, Recipient Team Number 09'), more.value);
  });

  it('9 recipient teams: the last field says "1 more team"', () => {
    const embed = buildSubmitDm(bigTrade(9, 9), { submitUrl: 'https://t.test/s' }).embeds![0]!;
    assert.equal(embed.fields!.length, 9);
    assert.equal(embed.fields![8]!.name, '… and 1 more team');
    assert.equal(embed.fields![8]!.value, 'Also receiving: Recipient Team Number 08 With A Long Name');
  });

  it('fitEmbed caps title 256, description 4096, fields 25, field name 256, field value 1024, footer 2048, total 6000', () => {
    const fitted = fitEmbed({
      title: 't'.repeat(300),
      description: 'd'.repeat(5000),
      fields: Array.from({ length: 30 }, () => ({ name: 'n'.repeat(300), value: 'v'.repeat(2000) })),
      footer: { text: 'f'.repeat(3000) },
    });
    assert.equal(fitted.title!.length, 256);
    assert.ok(fitted.title!.endsWith('…'));
    assert.ok(fitted.footer!.text.length <= 2048 && fitted.footer!.text.endsWith('…'));
    assertWithinLimits(fitted);
    assert.ok(fitted.fields!.length <= 25);
  });

  it('fitEmbed leaves an embed within the limits untouched', () => {
    const e: APIEmbed = { title: 'T', description: 'a\nb', fields: [{ name: 'n', value: 'v' }], footer: { text: 'f' } };
    assert.deepEqual(fitEmbed(e), e);
  });

  it('truncate cuts with …, keeps within max, and never splits a surrogate pair', () => {
    assert.equal(truncate('abcdef', 4), 'abc…');
    assert.equal(truncate('abc', 3), 'abc');
    const cut = truncate('ab🔊🔊', 4); // "ab" + 2 code units of 🔊 would split the second pair
    assert.ok(cut.length <= 4);
    assert.equal(cut, 'ab…');
  });

  it('truncateLines drops whole lines from the end with "… and N more" (N = non-blank lines dropped)', () => {
    const text = ['line one', 'line two', '', 'line three', 'line four'].join('\n');
    assert.equal(truncateLines(text, 30), 'line one\nline two\n… and 2 more');
    assert.equal(truncateLines(text, 1000), text);
    assert.equal(truncateLines('x'.repeat(50), 10), `${'x'.repeat(9)}…`);
    assert.equal(EMBED_LIMITS.total, 6000);
  });
});
