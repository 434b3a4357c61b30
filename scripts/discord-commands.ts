/**
 * npm run discord:commands [-- --dry-run]
 *
 * Registers the slash commands (src/jobs/discord/commands/definitions.ts) as guild commands with
 * Discord's bulk overwrite, and prints what changed per command: added, changed (which fields),
 * removed, unchanged. The worker never registers on connect (§5.7): run this when a definition changes.
 * --dry-run reads the registered commands and prints the diff without writing.
 */
import path from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import type { APIApplicationCommand, RESTPostAPIApplicationGuildCommandsJSONBody } from 'discord-api-types/v10';
import { ConfigError, loadConfig, type Config } from '../src/config.ts';
import { commandDefinitions } from '../src/jobs/discord/commands/definitions.ts';
import { createDiscordClient } from '../src/jobs/discord/discord-client.ts';
import { loadDevEnvFiles } from './lib/load-env-files.ts';

loadDevEnvFiles(path.resolve(import.meta.dirname, '..'));

const usage = 'usage: npm run discord:commands [-- --dry-run]';
const { values } = parseArgs({ options: { 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

const required = ['DISCORD_BOT_TOKEN', 'DISCORD_APPLICATION_ID', 'DISCORD_GUILD_ID'] as const;
const missing = required.filter((name) => !process.env[name]);
if (missing.length > 0) fail(`discord:commands needs ${missing.join(', ')} (not set)`);

let discord: Config['discord'];
try {
  // The database is not used here; the worker's URL is only required by the shared schema.
  discord = loadConfig({ DATABASE_URL: 'postgres://unused@127.0.0.1/unused', ...process.env }).discord;
} catch (error) {
  if (error instanceof ConfigError) fail(`ConfigError: ${error.message}`);
  throw error;
}
const applicationId = discord.commands.applicationId!;
const guildId = discord.commands.guildId!;

/** The fields a definition states, as Discord would store them: no null or undefined, no default values. */
function normalise(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.map((v) => normalise(v));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const n = normalise(v, k);
      if (n !== undefined) out[k] = n;
    }
    return out;
  }
  if (value === null) return undefined;
  // Discord's defaults: a chat-input command (1), options not required, not NSFW, no autocomplete.
  if (value === false && (key === 'required' || key === 'nsfw' || key === 'autocomplete')) return undefined;
  return value;
}

const compared = ['type', 'description', 'options', 'default_member_permissions', 'nsfw', 'name_localizations', 'description_localizations'] as const;

/** The fields whose values differ between the definition and the registered command. */
function changedFields(wanted: RESTPostAPIApplicationGuildCommandsJSONBody, registered: APIApplicationCommand): string[] {
  const want = normalise(wanted) as Record<string, unknown>;
  const have = normalise(registered) as Record<string, unknown>;
  return compared.filter((field) => !isDeepStrictEqual(want[field] ?? (field === 'type' ? 1 : undefined), have[field] ?? (field === 'type' ? 1 : undefined)));
}

const client = createDiscordClient(discord, { retries: 1 });
try {
  const registered = await client.getGuildCommands(applicationId, guildId);
  const lines: string[] = [];
  let differences = 0;
  for (const wanted of commandDefinitions) {
    const current = registered.find((command) => command.name === wanted.name);
    const fields = current === undefined ? undefined : changedFields(wanted, current);
    if (fields === undefined) lines.push(`${wanted.name}: added`);
    else if (fields.length > 0) lines.push(`${wanted.name}: changed (${fields.join(', ')})`);
    else lines.push(`${wanted.name}: unchanged`);
    if (fields === undefined || fields.length > 0) differences += 1;
  }
  for (const current of registered) {
    if (!commandDefinitions.some((wanted) => wanted.name === current.name)) {
      lines.push(`${current.name}: removed`);
      differences += 1;
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  if (values['dry-run']) {
    process.stdout.write(`dry run: nothing registered (${differences} to change) in guild ${guildId}\n`);
  } else {
    // Always put: a bulk overwrite of identical commands changes nothing on Discord's side.
    await client.putGuildCommands(applicationId, guildId, commandDefinitions);
    process.stdout.write(`registered ${commandDefinitions.length} commands in guild ${guildId} (${differences} changed)\n`);
  }
} catch (error) {
  fail(`could not register the commands: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  client.close();
}
