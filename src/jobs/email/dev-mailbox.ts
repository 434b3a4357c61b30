import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config.ts';
import type { Mailer } from './mailer.ts';
import type { OutgoingEmail, SentEmail } from './outgoing-email.ts';

/** One stored message: the JSON file the mailbox page reads. */
export interface StoredMessage {
  /** File stem, sortable by time: `<epoch ms>-<uuid>`. */
  readonly id: string;
  readonly messageId: string;
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

/** Stored ids are generated here and checked by the mailbox page before touching the disk. */
export const storedIdPattern = /^\d{13}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The development "provider": writes each message into a folder (JSON with everything, plus the
 * HTML alone for opening in a browser) and never sends anything, so dev and tests cannot mail a
 * real person.
 */
export function createDevMailbox(config: Config['email']): Mailer {
  const dir = path.resolve(config.devMailboxDir);
  return {
    async send(message: OutgoingEmail): Promise<SentEmail> {
      const uuid = randomUUID();
      const stored: StoredMessage = {
        id: `${Date.now()}-${uuid}`,
        messageId: `<${uuid}@dev-mailbox.local>`,
        date: new Date().toISOString(),
        from: config.from.name ? `${config.from.name} <${config.from.address}>` : config.from.address,
        to: message.to.name ? `${message.to.name} <${message.to.address}>` : message.to.address,
        subject: message.subject,
        headers: { ...message.headers },
        tags: [...(message.tags ?? [])],
        text: message.text,
        html: message.html,
      };
      await mkdir(dir, { recursive: true });
      // HTML first: the page lists .json files, so a message appears only once complete.
      await writeFile(path.join(dir, `${stored.id}.html`), stored.html);
      await writeFile(path.join(dir, `${stored.id}.json`), `${JSON.stringify(stored, null, 2)}\n`);
      return { provider: 'dev-mailbox', messageId: stored.messageId };
    },
    close: async () => {},
  };
}
