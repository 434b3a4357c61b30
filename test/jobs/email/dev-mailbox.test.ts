/**
 * The dev mailbox honours idempotency keys as a provider would: one message per key however many
 * attempts send it, at once or after a crash, and every send call is logged with whether it was a
 * repeat.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDevMailbox, type DeliveryLine } from '../../../src/jobs/email/dev-mailbox.ts';
import type { OutgoingEmail } from '../../../src/jobs/email/outgoing-email.ts';
import { idempotencyKey } from '../../../src/jobs/side-effects.ts';
import { testConfig } from '../../support/test-config.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tm-dev-mailbox-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function mailbox(folder: string) {
  return createDevMailbox(testConfig('postgres://nobody@127.0.0.1:1/none', { DEV_MAILBOX_DIR: folder }).email);
}

function message(jobId: string): OutgoingEmail {
  const key = idempotencyKey('email.send', jobId, 'email');
  return { to: { address: 'casey@example.test' }, subject: `for ${jobId}`, html: '<p>hi</p>', text: 'hi', idempotencyKey: key, messageId: `<${key}@trademachine.local>` };
}

async function stored(folder: string): Promise<string[]> {
  return (await readdir(folder)).filter((file) => file.endsWith('.json'));
}

async function deliveries(folder: string): Promise<DeliveryLine[]> {
  const text = await readFile(path.join(folder, 'deliveries.jsonl'), 'utf8');
  return text.trim().split('\n').map((line) => JSON.parse(line) as DeliveryLine);
}

test('one message per key, even for attempts sending at the same moment; repeats are logged as such', async () => {
  const folder = path.join(dir, 'concurrent');
  const box = mailbox(folder);
  const sent = await Promise.all(Array.from({ length: 8 }, () => box.send(message('job-a'))));
  await box.send(message('job-b'));
  assert.equal(new Set(sent.map((each) => each.messageId)).size, 1);
  assert.equal((await stored(folder)).length, 2);
  const lines = await deliveries(folder);
  assert.equal(lines.length, 9);
  assert.equal(lines.filter((line) => !line.repeat).length, 2, 'one first delivery per key');
});

test('a claim left without its message (a crash between the two) is completed by the next attempt, once', async () => {
  const folder = path.join(dir, 'crashed');
  const pending = message('job-c');
  // What a crash right after claiming leaves: the claim, no message; and an empty claim from a crash mid-write.
  await mkdir(path.join(folder, 'keys'), { recursive: true });
  await writeFile(path.join(folder, 'keys', pending.idempotencyKey), `1700000000000-${pending.idempotencyKey}`);
  const empty = message('job-d');
  await writeFile(path.join(folder, 'keys', empty.idempotencyKey), '');
  const box = mailbox(folder);
  await box.send(pending);
  await box.send(empty);
  await box.send(empty);
  const files = (await stored(folder)).sort();
  assert.equal(files.length, 2, files.join(', '));
  assert.ok(files.includes(`1700000000000-${pending.idempotencyKey}.json`), 'stored under the id the claim named');
  assert.deepEqual(
    (await deliveries(folder)).map((line) => line.repeat),
    [true, false, true],
    'the crashed attempt had sent the key already; the empty claim had not',
  );
});
