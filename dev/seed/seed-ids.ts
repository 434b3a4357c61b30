import { createHash } from 'node:crypto';

/** The namespace of every seeded id (a fixed UUID), so seeded rows are recognisable and never collide with the owner's. */
const NAMESPACE = Buffer.from('6f1c2b4e8d3a4c5f9e7b1a2d3c4e5f60', 'hex');

/**
 * A name-based UUID (RFC 9562 version 5) for one seeded row, e.g. `seedId('team', 3)`. The same key
 * gives the same id on every run and every machine, which is what makes the seed idempotent and
 * lets the dev banner print real ids without reading the database.
 */
export function seedId(kind: string, ...key: readonly (string | number)[]): string {
  const hash = createHash('sha1').update(NAMESPACE).update([kind, ...key].join(':')).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** An ESPN member id as ESPN writes them: an upper-case GUID in braces. */
export function seedEspnGuid(kind: string, ...key: readonly (string | number)[]): string {
  return `{${seedId(`espn-${kind}`, ...key).toUpperCase()}}`;
}
