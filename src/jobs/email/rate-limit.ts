import { RetryableJobError, SnoozeJob } from '../outcomes.ts';

/** Longest wait a provider can ask for before we fall back to the queue's own retry delay. Default: 3600. */
export const maxSnoozeSeconds = 3600;

/**
 * A 429 as a job outcome: snooze for the provider's stated wait (not spending an attempt) when it
 * gave a usable one, else a normal retry.
 */
export function rateLimited(provider: string, waitSeconds: number | undefined): SnoozeJob | RetryableJobError {
  if (waitSeconds !== undefined && Number.isFinite(waitSeconds) && waitSeconds >= 0 && waitSeconds <= maxSnoozeSeconds) {
    return new SnoozeJob(Math.max(1, Math.ceil(waitSeconds)), `${provider} rate limit reached; retrying in ${Math.ceil(waitSeconds)} s`);
  }
  return new RetryableJobError('EMAIL_RATE_LIMITED', `${provider} rate limit reached`);
}
