import { countDiscordMessage } from '../../telemetry/discord-metrics.ts';
import type { SideEffectResult } from '../side-effects.ts';

type MessageKind = Parameters<typeof countDiscordMessage>[0];

/**
 * A message's once-only post, counted by kind and outcome: sent, already sent (a retry), skipped
 * (`isSkipped` says the effect decided not to post), or failed.
 */
export async function postCounted<T>(kind: MessageKind, post: () => Promise<SideEffectResult<T>>, isSkipped: (value: T) => boolean = () => false): Promise<SideEffectResult<T>> {
  try {
    const result = await post();
    countDiscordMessage(kind, isSkipped(result.value) ? 'skipped' : result.replayed ? 'already_sent' : 'sent');
    return result;
  } catch (error) {
    countDiscordMessage(kind, 'failed');
    throw error;
  }
}
