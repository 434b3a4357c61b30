/** A message ready for a provider: addressing decided, content rendered. The sender comes from config. */
export interface OutgoingEmail {
  readonly to: { readonly address: string; readonly name?: string | undefined };
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  /** Extra headers, e.g. the original recipient of a redirected message. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Provider tags, for filtering the provider's logs and webhooks by email type. */
  readonly tags?: readonly string[];
  /**
   * Derived from the job (a UUID): every attempt of one job sends the same key, so a provider that
   * honours idempotency keys (Brevo, the dev mailbox) folds a repeat into the first message.
   */
  readonly idempotencyKey: string;
  /**
   * The RFC 5322 Message-ID, also derived from the job (`<key@sender domain>`), so mail clients fold
   * a duplicate that slipped through into one message.
   */
  readonly messageId: string;
}

/** The stable Message-ID of a job's message: the idempotency key at the sender's domain. */
export function messageIdFor(idempotencyKey: string, fromAddress: string): string {
  const domain = fromAddress.slice(fromAddress.lastIndexOf('@') + 1) || 'trademachine.local';
  return `<${idempotencyKey}@${domain}>`;
}

/** What a provider answers for an accepted message. */
export interface SentEmail {
  readonly provider: string;
  /** The provider's id, the primary key of the owner's `email` table and the key of its webhooks. */
  readonly messageId: string;
}

/** `"Name" <address>` for providers that take one string; quotes and line breaks in names are dropped. */
export function formatAddress(address: string, name?: string): string {
  const clean = name?.replace(/["\\\r\n]/g, '').trim();
  return clean ? `"${clean}" <${address}>` : address;
}
