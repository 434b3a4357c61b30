import { createHash } from 'node:crypto';

/** A fixed namespace: job ids of the inbox never collide with another scheme's v5 ids. */
const NAMESPACE = Buffer.from('6f1a8a52c3e64c0f9b7e2d0c5b1e4a77', 'hex');

/**
 * The pg-boss job id of an `oban_jobs` row: a UUID v5 (SHA-1, RFC 9562) of the target and the row
 * id, so every enqueue of one row, by any process, after any crash, names the same job and pg-boss
 * keeps only one.
 */
export function inboxJobId(target: string, rowId: number | string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(`oban_jobs:${target}:${String(rowId)}`).digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
