import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml } from '../../../src/jobs/email/templates/escape-html.ts';
import type { RenderedEmail } from '../../../src/jobs/email/templates/layout.ts';
import { passwordResetEmail } from '../../../src/jobs/email/templates/password-reset.ts';
import { registrationEmail } from '../../../src/jobs/email/templates/registration.ts';
import { testEmail } from '../../../src/jobs/email/templates/test-email.ts';
import { tradeDeclinedEmail } from '../../../src/jobs/email/templates/trade-declined.ts';
import { tradeRequestEmail } from '../../../src/jobs/email/templates/trade-request.ts';
import { tradeSubmitEmail } from '../../../src/jobs/email/templates/trade-submit.ts';
import type { TradeSummary } from '../../../src/jobs/email/templates/trade-summary.ts';

const evil = '<script>alert("x")</script>';
const escapedEvil = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;';

const trade: TradeSummary = {
  tradeId: '00000000-0000-4000-8000-000000000001',
  creatorTeam: 'Mudville Nine',
  recipientTeams: ['Springfield Isotopes'],
  decliningUser: 'Casey',
  declinedReason: 'Not enough pitching',
  items: [
    { kind: 'major', label: 'Mike Trout', detail: 'CF, LAA', sender: 'Mudville Nine', recipient: 'Springfield Isotopes' },
    { kind: 'pick', label: '2026 round 1 major league pick', detail: 'originally Mudville Nine', sender: 'Springfield Isotopes', recipient: 'Mudville Nine' },
    { kind: 'minor', label: 'Jackson Holliday', detail: 'SS, BAL, AAA', sender: 'Mudville Nine', recipient: 'Springfield Isotopes' },
  ],
};

const evilTrade: TradeSummary = {
  tradeId: trade.tradeId,
  creatorTeam: `Team ${evil}`,
  recipientTeams: [`Other ${evil}`],
  decliningUser: `User ${evil}`,
  declinedReason: `Because ${evil}`,
  items: [{ kind: 'major', label: `Player ${evil}`, detail: `Pos ${evil}`, sender: `Team ${evil}`, recipient: `Other ${evil}` }],
};

const links = {
  acceptUrl: 'https://app.example.test/trades/1/accept?token=a&b=1',
  declineUrl: 'https://app.example.test/trades/1/decline',
  tradeUrl: 'https://app.example.test/trades/1',
};

/** Every template with normal data, by email type. */
const normal: Record<string, () => RenderedEmail> = {
  password_reset: () => passwordResetEmail({ displayName: 'Casey', resetUrl: 'https://app.example.test/reset?token=t1' }),
  registration: () => registrationEmail({ displayName: 'Casey', registrationUrl: 'https://app.example.test/register?u=1' }),
  test: () => testEmail({ displayName: 'Casey' }),
  trade_request: () => tradeRequestEmail({ recipientName: 'Casey', trade, ...links }),
  trade_declined: () => tradeDeclinedEmail({ recipientName: 'Casey', trade, tradeUrl: links.tradeUrl }),
  trade_submit: () => tradeSubmitEmail({ recipientName: 'Casey', trade, tradeUrl: links.tradeUrl }),
};

/** Every template with a script tag in each user-controlled value. */
const hostile: Record<string, () => RenderedEmail> = {
  password_reset: () => passwordResetEmail({ displayName: evil, resetUrl: 'https://app.example.test/reset?token=t1' }),
  registration: () => registrationEmail({ displayName: evil, registrationUrl: 'https://app.example.test/register' }),
  test: () => testEmail({ displayName: evil }),
  trade_request: () => tradeRequestEmail({ recipientName: evil, trade: evilTrade, ...links }),
  trade_declined: () => tradeDeclinedEmail({ recipientName: evil, trade: evilTrade }),
  trade_submit: () => tradeSubmitEmail({ recipientName: evil, trade: evilTrade }),
};

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters and tolerates null', () => {
    assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    assert.equal(escapeHtml(null), '');
    assert.equal(escapeHtml(7), '7');
  });
});

describe('email templates', () => {
  for (const [type, render] of Object.entries(normal)) {
    it(`${type}: renders a subject, an HTML part with inlined CSS and a text part`, () => {
      const email = render();
      assert.ok(email.subject.length > 5, 'subject');
      assert.match(email.html, /^<!DOCTYPE html>/);
      assert.match(email.html, /Hi Casey,/);
      assert.match(email.text, /Hi Casey,/);
      // juice moved the stylesheet into style attributes and dropped the <style> block.
      assert.doesNotMatch(email.html, /<style/i);
      assert.match(email.html, /<div class="card" style="[^"]*max-width: 600px/);
      assert.match(email.html, /<body style="[^"]*background-color: #f3f4f6/);
      assert.doesNotMatch(email.text, /<[a-z]/i, 'text part has no markup');
    });

    it(`${type}: escapes user data in the HTML part`, () => {
      const email = hostile[type]!();
      assert.doesNotMatch(email.html, /<script/i);
      assert.ok(email.html.includes(escapedEvil), 'the value is shown, escaped');
      // The text part is plain text: it shows the value as it is.
      assert.ok(email.text.includes(evil));
    });
  }

  it('password reset links to the reset URL in both parts', () => {
    const email = normal.password_reset!();
    assert.equal(email.subject, 'Reset your TradeMachine password');
    assert.match(email.html, /href="https:\/\/app\.example\.test\/reset\?token=t1"/);
    assert.match(email.text, /https:\/\/app\.example\.test\/reset\?token=t1/);
  });

  it('trade request lists items by sender → recipient with accept, decline and review links', () => {
    const email = normal.trade_request!();
    assert.equal(email.subject, 'Mudville Nine requested a trade with you');
    assert.ok(email.html.includes('href="https://app.example.test/trades/1/accept?token=a&amp;b=1"'), 'accept link, & escaped');
    assert.ok(email.html.includes('href="https://app.example.test/trades/1/decline"'));
    assert.ok(email.html.includes('href="https://app.example.test/trades/1"'));
    assert.match(email.html, /<h2[^>]*>Mudville Nine &rarr; Springfield Isotopes<\/h2>/);
    assert.match(email.html, /<h2[^>]*>Springfield Isotopes &rarr; Mudville Nine<\/h2>/);
    // The two items Mudville sends sit in one group, majors before minors.
    const text = email.text;
    const mudville = text.indexOf('Mudville Nine -> Springfield Isotopes');
    const springfield = text.indexOf('Springfield Isotopes -> Mudville Nine');
    assert.ok(mudville >= 0 && springfield > mudville);
    const trout = text.indexOf('Mike Trout (CF, LAA)');
    const holliday = text.indexOf('Jackson Holliday (SS, BAL, AAA)');
    assert.ok(mudville < trout && trout < holliday && holliday < springfield, text);
    assert.ok(text.indexOf('2026 round 1 major league pick (originally Mudville Nine)') > springfield);
    assert.match(text, /Accept: https:\/\/app\.example\.test\/trades\/1\/accept\?token=a&b=1/);
  });

  it('trade declined shows who declined and why', () => {
    const email = normal.trade_declined!();
    assert.equal(email.subject, 'Casey declined your trade');
    assert.match(email.html, /Not enough pitching/);
    assert.match(email.text, /Reason: Not enough pitching/);
  });

  it('trade submit names every team', () => {
    assert.equal(normal.trade_submit!().subject, 'Trade submitted: Mudville Nine and Springfield Isotopes');
  });

  it('a trade without items says so instead of rendering an empty list', () => {
    const email = tradeSubmitEmail({ recipientName: null, trade: { ...trade, items: [] } });
    assert.match(email.html, /This trade has no items\./);
    assert.match(email.text, /Hi there,/);
  });
});
