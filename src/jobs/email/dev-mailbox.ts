import { appendFile, link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Config } from '../../config.ts';
import { RetryableJobError } from '../outcomes.ts';
import type { Mailer } from './mailer.ts';
import type { OutgoingEmail, SentEmail } from './outgoing-email.ts';

/** One stored message: the JSON file the mailbox page reads. */
export interface StoredMessage {
  /** File stem, sortable by time: `<epoch ms>-<idempotency key>`. */
  readonly id: string;
  readonly messageId: string;
  /** The key every attempt of the job sends; one message per key. */
  readonly idempotencyKey: string;
  /** ISO timestamp of when the worker "sent" it. */
  readonly date: string;
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly tags: readonly string[];
  readonly text: string;
  readonly html: string;
}

/** One line of `deliveries.jsonl`: every send call, so repeats the key caught can be counted. */
export interface DeliveryLine {
  readonly key: string;
  readonly messageId: string;
  readonly at: string;
  /** True when the key had been sent before (claimed by an earlier call): a real provider would have folded it too. */
  readonly repeat: boolean;
}

/** Stored ids are generated here and checked by the mailbox page before touching the disk. */
export const storedIdPattern = /^\d{13}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const keyPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Writes a file whole or not at all (a crash never leaves half a message for the page). */
async function writeAtomically(file: string, content: string): Promise<void> {
  const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, file);
}

async function readIfPresent(file: string): Promise<string | undefined> {
  return readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
}

/**
 * Claims an idempotency key: the key file is made whole in a temporary file and linked into place,
 * which fails if it exists, so a crash never leaves an empty claim behind and two attempts never
 * both win. Returns the stored id the key names, and whether an earlier send had claimed it.
 */
async function claimKey(keyFile: string, proposedId: string): Promise<{ id: string; claimed: boolean }> {
  const earlier = (await readIfPresent(keyFile))?.trim();
  if (earlier) return { id: earlier, claimed: true };
  if (earlier === '') {
    // An empty claim, left by a crash of a version that wrote claims in place: nothing was stored.
    await writeAtomically(keyFile, proposedId);
    return { id: proposedId, claimed: false };
  }
  const temporary = `${keyFile}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temporary, proposedId);
  try {
    await link(temporary, keyFile);
    return { id: proposedId, claimed: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Another attempt claimed it this very moment: it is the same message.
    return { id: ((await readIfPresent(keyFile)) ?? proposedId).trim(), claimed: true };
  } finally {
    await unlink(temporary).catch(() => {});
  }
}

/**
 * The development "provider": writes each message into a folder (JSON with everything, plus the
 * HTML alone for opening in a browser) and never sends anything, so dev and tests cannot mail a
 * real person. It honours idempotency keys as a provider with them would: one message per key, and
 * a repeat answers with the first message's id. `keys/<key>` is claimed before the message is
 * written, so a crash between the two leaves a claim that the retry completes rather than a second
 * message.
 */
export function createDevMailbox(config: Config['email']): Mailer {
  const dir = path.resolve(config.devMailboxDir);
  const keysDir = path.join(dir, 'keys');
  const deliveries = path.join(dir, 'deliveries.jsonl');
  let ready: Promise<unknown> | undefined;

  const logDelivery = (line: DeliveryLine) => appendFile(deliveries, `${JSON.stringify(line)}\n`);

  return {
    async send(message: OutgoingEmail, signal?: AbortSignal): Promise<SentEmail> {
      if (!keyPattern.test(message.idempotencyKey)) throw new Error(`dev mailbox: idempotency key must be a lower-case UUID (got "${message.idempotencyKey}")`);
      if (signal?.aborted) throw new RetryableJobError('EMAIL_ABORTED', 'dev mailbox: not stored, the job is stopping', { cause: signal.reason });
      ready ??= mkdir(keysDir, { recursive: true });
      await ready;
      const keyFile = path.join(keysDir, message.idempotencyKey);
      const { id, claimed } = await claimKey(keyFile, `${Date.now()}-${message.idempotencyKey}`);
      const messageFile = path.join(dir, `${id}.json`);
      const alreadyStored = claimed && (await readIfPresent(messageFile)) !== undefined;
      if (!alreadyStored) {
        const stored: StoredMessage = {
          id,
          messageId: message.messageId,
          idempotencyKey: message.idempotencyKey,
          date: new Date().toISOString(),
          from: config.from.name ? `${config.from.name} <${config.from.address}>` : config.from.address,
          to: message.to.name ? `${message.to.name} <${message.to.address}>` : message.to.address,
          subject: message.subject,
          headers: { ...message.headers, 'Message-ID': message.messageId },
          tags: [...(message.tags ?? [])],
          text: message.text,
          html: message.html,
        };
        // HTML first: the page lists .json files, so a message appears only once complete.
        await writeAtomically(path.join(dir, `${id}.html`), stored.html);
        await writeAtomically(messageFile, `${JSON.stringify(stored, null, 2)}\n`);
      }
      await logDelivery({ key: message.idempotencyKey, messageId: message.messageId, at: new Date().toISOString(), repeat: claimed });
      return { provider: 'dev-mailbox', messageId: message.messageId };
    },
    close: async () => {},
  };
}
