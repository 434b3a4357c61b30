import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { devBanner } from '../../dev/dev-banner.ts';
import { firstSteps } from '../../dev/first-steps.ts';
import { seedExamples } from '../../dev/seed/seed-examples.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const devDefaults = parseEnv(readFileSync(path.join(repoRoot, '.env.development'), 'utf8'));
const steps = firstSteps(devDefaults.FRONTEND_URL ?? '');

describe('first steps', () => {
  it('name the seeded ids and put the links on FRONTEND_URL', () => {
    assert.equal(devDefaults.FRONTEND_URL, 'http://localhost:3000');
    assert.deepEqual(steps.map((step) => step.label), ['test email', 'trade email', 'team sync', 'players sync', 'minors sync', 'picks sync', 'announcement']);
    assert.ok(steps[0]?.command.includes(seedExamples.testEmailUserId));
    const trade = JSON.parse(/'(\{.*\})'$/.exec(steps[1]?.command ?? '')?.[1] ?? '{}') as Record<string, string>;
    assert.equal(trade.tradeId, seedExamples.tradeRequest.tradeId);
    assert.equal(trade.recipientUserId, seedExamples.tradeRequest.recipientUserId);
    assert.equal(new URL(trade.acceptUrl ?? '').origin, 'http://localhost:3000');
    assert.equal(new URL(trade.declineUrl ?? '').origin, 'http://localhost:3000');
    assert.equal(new URL(firstSteps('https://trades.example.org/app').at(1)?.command.match(/"acceptUrl":"([^"]+)"/)?.[1] ?? '').origin, 'https://trades.example.org');
  });

  it("are in the README's Two commands section exactly as the banner prints them", () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Two commands'), readme.indexOf('\n## ', readme.indexOf('## Two commands') + 1));
    const lines = new Set(section.split('\n'));
    for (const step of steps) assert.ok(lines.has(step.command), `README lacks: ${step.command}`);
  });

  it('the banner shows them, the stand-ins, and asks for a seed when the league is missing', () => {
    const facts = {
      databaseUrl: 'postgres://postgres:secret@127.0.0.1:54329/trademachine',
      httpBase: 'http://127.0.0.1:4100',
      upstreams: [{ name: 'espn', summary: 'stand-in http://127.0.0.1:1234 serving the seeded league' }],
      firstSteps: steps,
      seeded: true,
    };
    const banner = devBanner(facts);
    assert.ok(banner.includes('  database   postgres://postgres:***@127.0.0.1:54329/trademachine\n'));
    assert.ok(!banner.includes('secret'));
    assert.ok(banner.includes('  espn       stand-in http://127.0.0.1:1234 serving the seeded league\n'));
    for (const step of steps) assert.match(banner, new RegExp(`^  ${step.label} +${step.command.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    assert.doesNotMatch(banner, /db:seed/);
    assert.match(devBanner({ ...facts, seeded: false }), /add the seeded league first: npm run db:seed/);
  });
});
