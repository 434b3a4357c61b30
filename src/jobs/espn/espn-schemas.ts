import { z } from 'zod';

/** JSON as `JSON.parse` returns it: what the raw team is, and what the `team."espnTeam"` jsonb column holds. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A team as the worker uses it; `raw` is the object exactly as ESPN sent it, for `team."espnTeam"`. */
export interface EspnTeam {
  readonly id: number;
  readonly name: string;
  readonly abbrev?: string;
  readonly raw: JsonObject;
}

/**
 * One team of the `mTeam` view. Loose: ESPN adds fields every season, and those must neither break
 * the sync nor be dropped from `raw`. Only what the worker reads is checked.
 */
const teamSchema = z
  .looseObject({
    id: z.number().int().positive(),
    abbrev: z.string().optional(),
    // 2025 responses carry `name`; older ones `location` + `nickname`.
    name: z.string().optional(),
    location: z.string().optional(),
    nickname: z.string().optional(),
  })
  .refine((team) => teamName(team) !== '', { path: ['name'], message: 'expected a non-empty name, or location and nickname' });

/** The league envelope of `?view=mTeam`; everything but `teams` is ignored. */
export const leagueTeamsSchema = z.looseObject({ teams: z.array(teamSchema) });

/** ESPN's error body: `{"messages":[…],"details":[{"message","shortMessage","type",…}]}`. */
const errorBodySchema = z.looseObject({
  messages: z.array(z.string()).optional(),
  details: z.array(z.looseObject({ message: z.string().nullish(), type: z.string().nullish() })).optional(),
});

/**
 * The team's display name: `name` when ESPN sends one, else location and nickname joined by one
 * space. Each part is trimmed first because real leagues have names like "Tyutin in " + "the Staal".
 */
export function teamName(team: { name?: string | undefined; location?: string | undefined; nickname?: string | undefined }): string {
  const name = team.name?.trim();
  if (name) return name;
  return [team.location, team.nickname]
    .map((part) => part?.trim() ?? '')
    .filter((part) => part !== '')
    .join(' ');
}

/** `teams[3].id`, the way a person would point at the bad value in the body. */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out === '' ? '(root)' : out;
}

/** Zod's issues as `teams[3].id: expected number, received string; …` (at most three, the rest counted). */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, 3).map((issue) => `${formatJsonPath(issue.path)}: ${issue.message.replace(/^Invalid input: /, '')}`);
  const more = issues.length > 3 ? `; and ${issues.length - 3} more` : '';
  return shown.join('; ') + more;
}

/**
 * What ESPN said in an error body, e.g. `You are not authorized to view this League.
 * (AUTH_LEAGUE_NOT_VISIBLE)`, or undefined when the body is not ESPN's error shape.
 */
export function espnErrorSummary(bodyText: string): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(bodyText);
  } catch {
    return undefined;
  }
  const parsed = errorBodySchema.safeParse(json);
  if (!parsed.success) return undefined;
  const details = parsed.data.details ?? [];
  const message = parsed.data.messages?.[0] ?? details.find((detail) => detail.message)?.message ?? undefined;
  const types = [...new Set(details.map((detail) => detail.type).filter((type): type is string => Boolean(type)))];
  const parts = [message, types.length > 0 ? `(${types.join(', ')})` : undefined].filter((part) => part !== undefined && part !== '');
  return parts.length > 0 ? parts.join(' ') : undefined;
}
