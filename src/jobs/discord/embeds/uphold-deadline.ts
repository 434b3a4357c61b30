/**
 * When a submitted trade is upheld (jobs-reference §5.3): the earliest 23:00 America/New_York at
 * least 24 hours after the trade was submitted. Computed from the submission time rather than the
 * send time (§5.7), so a retried announcement shows the same deadline; DST-correct via @date-fns/tz.
 */
import { TZDate } from '@date-fns/tz';
import { addDays, set } from 'date-fns';

export const UPHOLD_TIME_ZONE = 'America/New_York';
const DAY_MS = 24 * 60 * 60 * 1000;
const ELEVEN_PM = { hours: 23, minutes: 0, seconds: 0, milliseconds: 0 } as const;

export function upholdDeadline(submittedAt: Date): Date {
  const earliest = new TZDate(submittedAt.getTime() + DAY_MS, UPHOLD_TIME_ZONE);
  let deadline = set(earliest, ELEVEN_PM);
  if (deadline.getTime() < earliest.getTime()) deadline = set(addDays(earliest, 1), ELEVEN_PM);
  return new Date(deadline.getTime());
}
