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
