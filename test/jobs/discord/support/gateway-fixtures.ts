/** Helpers of the Gateway tests: polling, and a chat-input interaction as the Gateway dispatches it. */
import { randomBytes } from 'node:crypto';
import type { CommandInteraction } from '../../../../src/jobs/discord/commands/command-responder.ts';

export const GATEWAY_TEST_APP = '1300000000000000001';
export const GATEWAY_TEST_GUILD = '1300000000000000002';

let next = 0n;

/** Polls until `check` holds; fails naming `what` after `timeoutMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string, everyMs = 20): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** A chat-input command interaction (type 2, data.type 1) with a fresh id and token. */
export function commandInteraction(name: string, userId = '1400000000000000001'): CommandInteraction {
  next += 1n;
  return {
    id: String(1_500_000_000_000_000_000n + next),
    application_id: GATEWAY_TEST_APP,
    type: 2,
    token: `interaction-token-${randomBytes(12).toString('hex')}`,
    version: 1,
    guild_id: GATEWAY_TEST_GUILD,
    channel_id: '1300000000000000004',
    locale: 'en-US',
    guild_locale: 'en-US',
    app_permissions: '0',
    entitlements: [],
    authorizing_integration_owners: {},
    context: 0,
    attachment_size_limit: 8_388_608,
    member: {
      user: { id: userId, username: 'manager', discriminator: '0', global_name: null, avatar: null },
      roles: [],
      joined_at: '2024-01-01T00:00:00.000Z',
      deaf: false,
      mute: false,
      flags: 0,
      permissions: '0',
    },
    data: { id: '1300000000000000005', name, type: 1 },
  } as unknown as CommandInteraction;
}
