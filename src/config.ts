import { z } from 'zod';
import { knownObanWorkers } from './inbox/oban-workers.ts';

/** Thrown by `loadConfig` with every bad variable listed, so one start-up shows all of them. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} problems:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

// Every message below completes "<VARIABLE> …", so every config error reads the same way:
// `HTTP_PORT must be a port number (got "abc")`.

/** One of a fixed set of words, named in the error. */
function oneOf<const Values extends readonly [string, ...string[]]>(values: Values) {
  return z.enum(values, { error: `must be one of ${values.join(', ')}` });
}

/** An unquoted SQL identifier: a schema name the worker puts on search_path. */
const sqlIdentifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a SQL identifier');

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

function integerAtLeast(min: number, what = min === 1 ? 'a positive integer' : `an integer of at least ${min}`) {
  const message = `must be ${what}`;
  return z.coerce.number({ error: message }).int(message).min(min, message);
}

const positiveInt = integerAtLeast(1);

/** A fraction from 0 to 1, e.g. 0.25. */
const share = z.coerce.number({ error: 'must be a number from 0 to 1' }).min(0, 'must be a number from 0 to 1').max(1, 'must be a number from 0 to 1');

const port = z.coerce.number({ error: 'must be a port number' }).int('must be a port number').min(0, 'must be a port number').max(65535, 'must be a port number');

const nonEmpty = z.string().min(1, 'must not be empty');

const postgresUrl = z
  .string()
  .refine((value) => /^postgres(ql)?:\/\//.test(value), 'must be a postgres:// URL');

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const optionalSecret = nonEmpty.optional();

/** A Discord id: 17 to 20 digits. */
const snowflake = z.string().regex(/^\d{17,20}$/, 'must be a Discord id (17 to 20 digits)');

const sheetId = z.string().regex(/^[A-Za-z0-9_-]+$/, "must be a Google Sheets id (the part of the sheet's URL after /d/)");

const sheetGid = z.string().regex(/^\d+$/, "must be a sheet tab's gid, digits only (the number after gid= in the tab's URL)");

const OTLP_HEADERS_FORMAT = 'must be comma-separated key=value pairs (values URL-encoded)';

/** OTEL_EXPORTER_OTLP_HEADERS as the OpenTelemetry spec has it: `k=v,k2=v2`, values URL-encoded. */
const otlpHeaders = z.string().transform((value, ctx): Record<string, string> => {
  const headers: Record<string, string> = {};
  for (const [index, raw] of value.split(',').entries()) {
    const pair = raw.trim();
    if (pair === '') continue;
    const separator = pair.indexOf('=');
    const key = separator > 0 ? pair.slice(0, separator).trim() : '';
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key)) {
      // The value may be a secret: name the entry by its position, never by its text.
      ctx.addIssue({ code: 'custom', message: `${OTLP_HEADERS_FORMAT}: entry ${index + 1} has no header name before =` });
      return z.NEVER;
    }
    try {
      headers[key.toLowerCase()] = decodeURIComponent(pair.slice(separator + 1).trim());
    } catch {
      ctx.addIssue({ code: 'custom', message: `${OTLP_HEADERS_FORMAT}: the value of ${key} is not valid URL encoding` });
      return z.NEVER;
    }
  }
  return headers;
});

/** One `YYYY-MM-DD=YYYY` pair of DRAFT_PICKS_SEASON_THRESHOLDS: from that UTC date on, that minor-league season. */
export interface DraftSeasonThreshold {
  /** `YYYY-MM-DD`, a real calendar date (UTC). */
  readonly date: string;
  readonly season: number;
}

const THRESHOLDS_FORMAT = 'must be comma-separated YYYY-MM-DD=YYYY pairs';

/** Parses and checks the pairs; every bad pair becomes its own issue naming it. Sorted by date. */
const draftSeasonThresholds = z.string().transform((value, ctx): DraftSeasonThreshold[] => {
  const problems: string[] = [];
  const thresholds: DraftSeasonThreshold[] = [];
  for (const raw of value.split(',')) {
    const pair = raw.trim();
    const match = /^(\d{4})-(\d{2})-(\d{2})=(.*)$/.exec(pair);
    if (!match) {
      problems.push(`${THRESHOLDS_FORMAT}: "${pair}" is not one`);
      continue;
    }
    const [, year = '', month = '', day = '', season = ''] = match;
    const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
    if (date.toISOString().slice(0, 10) !== `${year}-${month}-${day}`) {
      problems.push(`${THRESHOLDS_FORMAT}: "${pair}" has no such date`);
      continue;
    }
    if (!/^\d{4}$/.test(season)) {
      problems.push(`${THRESHOLDS_FORMAT}: "${pair}" has no four-digit year after =`);
      continue;
    }
    thresholds.push({ date: `${year}-${month}-${day}`, season: Number(season) });
  }
  thresholds.sort((a, b) => a.date.localeCompare(b.date));
  for (let i = 1; i < thresholds.length; i++) {
    const previous = thresholds[i - 1];
    const current = thresholds[i];
    if (!previous || !current) continue;
    if (previous.date === current.date) {
      problems.push(`must not repeat a date: "${current.date}=${current.season}" and "${previous.date}=${previous.season}"`);
    } else if (current.season <= previous.season) {
      problems.push(`must give later dates later seasons: "${current.date}=${current.season}" comes after "${previous.date}=${previous.season}"`);
    }
  }
  for (const message of problems) ctx.addIssue({ code: 'custom', message });
  return problems.length > 0 ? z.NEVER : thresholds;
});

/**
 * The environment, variable by variable. Defaults sit beside each variable; `.env.development`
 * is the documented example.
 */
const envSchema = z.object({
  /** Which deployment this is; anything but production redirects email. Default: development. */
  DEPLOY_ENV: oneOf(['development', 'test', 'staging', 'production']).default('development'),
  /** The owner's production database; also holds the queue schema. Required. */
  DATABASE_URL: postgresUrl,
  /**
   * The owner's staging deployment on a server of its own. Default: DATABASE_URL, since the owner
   * keeps staging's tables in the `staging` schema of the production database (STAGING_SCHEMA).
   */
  STAGING_DATABASE_URL: postgresUrl.optional(),
  /** Whether staging is a target at all; false for a deployment that has none. Default: true. */
  STAGING_ENABLED: booleanFlag.default(true),
  /** The owner's staging schema, in STAGING_DATABASE_URL's database. Default: staging. */
  STAGING_SCHEMA: sqlIdentifier.default('staging'),
  /** Connections per target pool. Default: 10. */
  DATABASE_POOL_MAX: positiveInt.default(10),
  /**
   * How long start-up keeps trying to reach each database (a server still booting, a network
   * blip) before it gives up with exit code 69. 0 tries once. Default: 60000.
   */
  DATABASE_WAIT_MS: integerAtLeast(0, 'a whole number of milliseconds').default(60_000),
  /** The schema pg-boss keeps its tables in, never the owner's. Default: pgboss. */
  QUEUE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL identifier').default('pgboss'),
  /** Whether cron schedules from the job definitions are registered. Default: false. */
  CRON_ENABLED: booleanFlag.default(false),
  /** Interface and port of the health/metrics/mailbox HTTP server. Defaults: 127.0.0.1, 4100. */
  HTTP_HOST: nonEmpty.default('127.0.0.1'),
  HTTP_PORT: port.default(4100),
  /** pino level. Default: info. */
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** json, pretty, or auto (pretty on a terminal). Default: auto. */
  LOG_FORMAT: oneOf(['json', 'pretty', 'auto']).default('auto'),
  /** Whether the worker creates and migrates its queue schema itself; false for DBAs who apply the SQL. Default: true. */
  QUEUE_MIGRATE: booleanFlag.default(true),
  /** The owner's production schema, in DATABASE_URL's database. Default: public. */
  OWNER_SCHEMA: sqlIdentifier.default('public'),
  /** What start-up does on breaking schema drift: fail (stop), warn (log and go on), or off. Default: fail. */
  SCHEMA_CHECK: oneOf(['fail', 'warn', 'off']).default('fail'),
  /** The remote REPL on a Unix socket. Default: on, except when DEPLOY_ENV=production. */
  REPL_ENABLED: booleanFlag.optional(),
  /** Where the REPL socket lives (its folder is made 0700). Default: .run/repl.sock. */
  REPL_SOCKET_PATH: nonEmpty.default('.run/repl.sock'),
  /** Build identity for the build-info metric; set by the image build. Defaults: package version, "unknown". */
  BUILD_VERSION: nonEmpty.optional(),
  BUILD_COMMIT: nonEmpty.default('unknown'),
  /**
   * The bound on a stop (SIGTERM/SIGINT): running jobs get this long to finish, are stopped
   * (their queries cancelled, requests aborted) shortly before it and handed back for a retry; the
   * process exits within it plus a margin of 2000 ms, whatever it was waiting on. Default: 30000.
   */
  SHUTDOWN_TIMEOUT_MS: integerAtLeast(1000, 'at least 1000 (milliseconds)').default(30_000),
  /** Largest job payload, as JSON bytes, at enqueue and at run. Default: 262144 (256 KB). */
  MAX_PAYLOAD_BYTES: positiveInt.default(256 * 1024),
  /**
   * Seconds between heartbeats a running job's worker sends; a job whose beat lapses (its worker
   * died) is retried. pg-boss's minimum is 10. Default: 30.
   */
  QUEUE_HEARTBEAT_SECONDS: integerAtLeast(10).default(30),
  /** Seconds between pg-boss's monitor passes, which retry lapsed and expired jobs. Default: 30. */
  QUEUE_MONITOR_INTERVAL_SECONDS: positiveInt.default(30),

  /** ESPN league to sync. Optional: ESPN jobs fail permanently without it. */
  ESPN_LEAGUE_ID: positiveInt.optional(),
  /**
   * Fantasy season override (the previous worker's ESPN_SEASON_YEAR). Default: unset, and each run
   * uses the UTC year of its own start (seasonFor), never a year frozen at boot.
   */
  ESPN_SEASON: positiveInt.optional(),
  ESPN_BASE_URL: httpUrl.default('https://lm-api-reads.fantasy.espn.com'),
  /** Private-league cookies; secrets. */
  ESPN_S2: optionalSecret,
  ESPN_SWID: z
    .string()
    .regex(/^\{[0-9A-Fa-f-]{36}\}$/, 'must be a GUID in braces, like {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}')
    .optional(),
  /** Per-request timeout for ESPN. Default: 15000. */
  ESPN_TIMEOUT_MS: positiveInt.default(15_000),
  /**
   * Players sync: make ESPN's rosters the truth for majors' owners (`leagueTeamId`). Off, owners are
   * left alone and only the drift is reported. Default: false.
   */
  ESPN_SYNC_OWNERSHIP: booleanFlag.default(false),
  /** Players sync: pause between two pages of ESPN's player pool, to be polite. Default: 1000. */
  ESPN_PLAYERS_PAGE_PAUSE_MS: integerAtLeast(0, 'an integer of at least 0 (milliseconds)').default(1000),

  /**
   * The league's Google Sheets, read as public CSV exports. The ids are optional: a sheet sync
   * fails permanently, saying which variable to set, when its id is missing.
   */
  MINOR_LEAGUE_SHEET_ID: sheetId.optional(),
  /** The tab of the minor-league sheet. Default: 806978055. */
  MINOR_LEAGUE_SHEET_GID: sheetGid.default('806978055'),
  DRAFT_PICKS_SHEET_ID: sheetId.optional(),
  /** The tab of the draft-pick sheet. Default: 142978697. */
  DRAFT_PICKS_SHEET_GID: sheetGid.default('142978697'),
  /** Where the CSV exports come from; the fake sheets in tests and dev. Default: https://docs.google.com. */
  SHEETS_BASE_URL: httpUrl.default('https://docs.google.com'),
  /** Whole-request deadline of one sheet download, redirects included. Default: 30000. */
  SHEETS_TIMEOUT_MS: positiveInt.default(30_000),
  /**
   * From which UTC date which minor-league season the draft-picks sync writes (majors picks are
   * for the season after): `YYYY-MM-DD=YYYY` pairs, runtime config so yearly upkeep needs no
   * deploy. A run more than a year past the last date fails until the next pair is added.
   * Default: 2025-03-01=2025,2026-03-01=2026,2027-03-01=2027.
   */
  DRAFT_PICKS_SEASON_THRESHOLDS: z.string().default('2025-03-01=2025,2026-03-01=2026,2027-03-01=2027').pipe(draftSeasonThresholds),
  /**
   * The sheet guards (issue 9): a sheet that fails them writes nothing. How many owner headers each
   * sheet must show (4 groups of 5). Default: 20.
   */
  SHEETS_EXPECTED_OWNERS: positiveInt.default(20),
  /** Fewest minor leaguers an owner's block may list before the minors sheet is deemed broken. Default: 1. */
  MINORS_MIN_PER_OWNER: integerAtLeast(0, 'a whole number').default(1),
  /** Most minor leaguers an owner's block may list. Default: 60. */
  MINORS_MAX_PER_OWNER: positiveInt.default(60),
  /**
   * Largest share of the currently owned minor leaguers one run may un-own (they left the sheet);
   * above it the run fails saying how many it would have un-owned. Default: 0.25.
   */
  MINORS_UNOWN_MAX_SHARE: share.default(0.25),
  /** Smallest share of the 300 picks of a full sheet the draft-picks sheet must show (the rest cleared). Default: 0.8. */
  DRAFT_PICKS_MIN_SHARE: share.default(0.8),

  /** dev-mailbox writes to a local folder; brevo and mailgun send. Default: dev-mailbox. */
  EMAIL_PROVIDER: oneOf(['dev-mailbox', 'brevo', 'mailgun']).default('dev-mailbox'),
  EMAIL_FROM_ADDRESS: z.email('must be an email address').default('tradebot@trademachine.local'),
  EMAIL_FROM_NAME: nonEmpty.default('TradeMachine'),
  /** Where every recipient goes for non-production targets. */
  EMAIL_REDIRECT_ADDRESS: z.email('must be an email address').optional(),
  /** Links in email payloads must be on this origin. */
  FRONTEND_URL: httpUrl.default('http://localhost:3000'),
  /** The staging web app's URL: links for the staging target are on its origin. Default: FRONTEND_URL. */
  STAGING_FRONTEND_URL: httpUrl.optional(),
  EMAIL_TIMEOUT_MS: positiveInt.default(10_000),
  /** Folder of the dev mailbox. Default: .data/mailbox. */
  DEV_MAILBOX_DIR: nonEmpty.default('.data/mailbox'),
  BREVO_API_KEY: optionalSecret,
  BREVO_BASE_URL: httpUrl.default('https://api.brevo.com'),
  MAILGUN_API_KEY: optionalSecret,
  MAILGUN_DOMAIN: nonEmpty.optional(),
  MAILGUN_BASE_URL: httpUrl.default('https://api.mailgun.net'),

  /** The bot's token (`Authorization: Bot …`); without it the Discord jobs fail permanently, saying so. */
  DISCORD_BOT_TOKEN: optionalSecret,
  /** Discord's REST API root, without the version; the dev stand-in in dev. Default: https://discord.com/api. */
  DISCORD_API_BASE_URL: httpUrl.default('https://discord.com/api'),
  /** The channel trade announcements go to, per target. */
  DISCORD_CHANNEL_ID_PRODUCTION: snowflake.optional(),
  DISCORD_CHANNEL_ID_STAGING: snowflake.optional(),
  /** Per-request timeout for Discord. Default: 15000. */
  DISCORD_TIMEOUT_MS: positiveInt.default(15_000),
  /** The bot's application id: the slash commands are registered and answered under it. */
  DISCORD_APPLICATION_ID: snowflake.optional(),
  /** The league's server: the slash commands are guild commands there. */
  DISCORD_GUILD_ID: snowflake.optional(),
  /**
   * The application's public key (64 hex digits). When set, slash commands arrive over HTTP at
   * POST /discord/interactions, verified with it, and no Gateway connection is opened.
   */
  DISCORD_PUBLIC_KEY: z.string().regex(/^[0-9a-f]{64}$/i, 'must be the application public key (64 hex digits)').optional(),
  /** Whether this worker answers the slash commands at all. Default: true (when the bot token is set). */
  DISCORD_COMMANDS_ENABLED: booleanFlag.default(true),
  /** How often a worker that does not hold the Gateway tries to take it over, in ms. Default: 5000. */
  DISCORD_LEADER_RETRY_MS: positiveInt.default(5000),
  /** How long a command may take before its reply is deferred (Discord allows 3 s), in ms. Default: 2000. */
  DISCORD_COMMAND_DEFER_MS: positiveInt.default(2000),
  /** Where the dev Discord stand-in keeps the messages the /discord page shows. Default: .data/discord. */
  DEV_DISCORD_DIR: nonEmpty.default('.data/discord'),

  /** Mailgun's webhook signing key: when set, POST /webhooks/mailgun accepts signed delivery events. */
  MAILGUN_WEBHOOK_SIGNING_KEY: optionalSecret,
  /** A secret Brevo's webhook URL carries (Brevo does not sign): when set, POST /webhooks/brevo accepts events. */
  BREVO_WEBHOOK_SECRET: optionalSecret,
  /** Oldest signed webhook timestamp accepted, in seconds (replays older than this are refused). Default: 300. */
  EMAIL_WEBHOOK_MAX_AGE_SECONDS: positiveInt.default(300),

  /** The oban_jobs inbox (src/inbox/): take the rows the owner inserts into each target's `oban_jobs`. Default: false. */
  INBOX_ENABLED: booleanFlag.default(false),
  /** How often the inbox polls each target's `oban_jobs`, in ms. Default: 500. */
  INBOX_POLL_MS: positiveInt.default(500),
  /**
   * The Oban worker strings the inbox takes, comma-separated (the rest are left to the previous
   * service while both run). Default: all of them.
   */
  INBOX_WORKERS: z
    .string()
    .transform((value) => value.split(',').map((worker) => worker.trim()).filter((worker) => worker.length > 0))
    .pipe(
      z
        .array(z.enum(knownObanWorkers as [string, ...string[]], { error: `must list only ${knownObanWorkers.join(', ')}` }))
        .min(1, 'must name at least one worker string'),
    )
    .optional(),
  /** Finished `oban_jobs` rows older than this many hours are deleted, as Oban's pruner did; 0 never prunes. Default: 48. */
  INBOX_PRUNE_HOURS: integerAtLeast(0, 'a whole number of hours').default(48),

  /**
   * Where traces go over OTLP/HTTP; `/v1/traces` is appended, as the OpenTelemetry spec says.
   * Default: unset, and nothing is exported (job spans still exist, for trace ids in logs and rows).
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl.optional(),
  /** The traces endpoint itself, used as-is; overrides OTEL_EXPORTER_OTLP_ENDPOINT. Default: unset. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl.optional(),
  /** The OTLP encoding: http/protobuf or http/json. Default: http/protobuf. */
  OTEL_EXPORTER_OTLP_PROTOCOL: oneOf(['http/protobuf', 'http/json']).default('http/protobuf'),
  /** Headers sent with every export, `key=value,key2=value2` (URL-encoded values); a secret (API keys). Default: none. */
  OTEL_EXPORTER_OTLP_HEADERS: otlpHeaders.optional(),
  /** otlp exports (when an endpoint is set); none turns export off. Default: otlp. */
  OTEL_TRACES_EXPORTER: oneOf(['otlp', 'none']).default('otlp'),
  /** The `service.name` of every span. Default: trademachine-worker. */
  OTEL_SERVICE_NAME: nonEmpty.default('trademachine-worker'),
  /** Share of new traces kept (parent-based: a caller's sampling decision stands), 0 to 1. Default: 1. */
  OTEL_TRACES_SAMPLER_ARG: share.default(1),
});

type Env = z.infer<typeof envSchema>;

/** Every variable the worker reads, derived from the schema (for docs and the compose-file test). */
export const configVariables: readonly string[] = Object.keys(envSchema.shape);

/** The variables with neither a default nor `optional`: start-up fails without them. */
export const requiredVariables: readonly string[] = Object.entries(envSchema.shape)
  .filter(([, schema]) => !schema.safeParse(undefined).success)
  .map(([name]) => name);

/** One deployment of the owner the worker serves: a schema in a database; the queue always lives in production's database. */
export interface TargetConfig {
  readonly name: 'production' | 'staging';
  readonly databaseUrl: string;
  /** The variable the URL came from, for messages (STAGING_DATABASE_URL, or DATABASE_URL when staging shares it). */
  readonly databaseUrlVariable: 'DATABASE_URL' | 'STAGING_DATABASE_URL';
  /** The owner schema holding this deployment's tables (search_path of its pool). */
  readonly schema: string;
  /** Non-production targets get redirected email. */
  readonly isProduction: boolean;
  /** The origin of this deployment's web app: every link sent for it must be on it. */
  readonly frontendOrigin: string;
}

export interface Config {
  readonly deployEnv: Env['DEPLOY_ENV'];
  readonly database: {
    readonly url: string;
    readonly poolMax: number;
    readonly queueSchema: string;
    readonly queueMigrate: boolean;
    /** How long start-up keeps trying to reach a database. */
    readonly waitMs: number;
  };
  readonly queue: { readonly heartbeatSeconds: number; readonly monitorIntervalSeconds: number };
  readonly maxPayloadBytes: number;
  readonly schemaCheck: 'fail' | 'warn' | 'off';
  readonly repl: { readonly enabled: boolean; readonly socketPath: string };
  readonly build: { readonly version: string | undefined; readonly commit: string };
  readonly targets: readonly TargetConfig[];
  readonly cronEnabled: boolean;
  readonly http: { readonly host: string; readonly port: number };
  readonly log: { readonly level: Env['LOG_LEVEL']; readonly format: Env['LOG_FORMAT'] };
  readonly shutdownTimeoutMs: number;
  readonly espn: {
    readonly leagueId: number | undefined;
    /** ESPN_SEASON when set; else undefined and seasonFor() takes the run's UTC year. */
    readonly seasonOverride: number | undefined;
    readonly baseUrl: string;
    readonly s2: string | undefined;
    readonly swid: string | undefined;
    readonly timeoutMs: number;
    /** ESPN_SYNC_OWNERSHIP. */
    readonly syncOwnership: boolean;
    /** ESPN_PLAYERS_PAGE_PAUSE_MS. */
    readonly playersPagePauseMs: number;
  };
  readonly sheets: {
    /** SHEETS_BASE_URL, without a trailing slash. */
    readonly baseUrl: string;
    /** SHEETS_TIMEOUT_MS. */
    readonly timeoutMs: number;
    /** MINOR_LEAGUE_SHEET_ID (undefined: the minors sync fails saying so) and MINOR_LEAGUE_SHEET_GID. */
    readonly minors: { readonly sheetId: string | undefined; readonly gid: string };
    /** DRAFT_PICKS_SHEET_ID and DRAFT_PICKS_SHEET_GID. */
    readonly draftPicks: { readonly sheetId: string | undefined; readonly gid: string };
    /** DRAFT_PICKS_SEASON_THRESHOLDS, sorted by date; resolve with minorLeagueSeasonFor. */
    readonly draftSeasonThresholds: readonly DraftSeasonThreshold[];
    /** The guards a sheet must pass before anything is written. */
    readonly guards: {
      /** SHEETS_EXPECTED_OWNERS. */
      readonly expectedOwners: number;
      /** MINORS_MIN_PER_OWNER and MINORS_MAX_PER_OWNER. */
      readonly minorsPerOwner: { readonly min: number; readonly max: number };
      /** MINORS_UNOWN_MAX_SHARE. */
      readonly minorsUnownMaxShare: number;
      /** DRAFT_PICKS_MIN_SHARE. */
      readonly draftPicksMinShare: number;
    };
  };
  readonly email: {
    readonly provider: Env['EMAIL_PROVIDER'];
    readonly from: { readonly address: string; readonly name: string };
    readonly redirectAddress: string | undefined;
    /** FRONTEND_URL's origin: production's web app (each target has its own, TargetConfig.frontendOrigin). */
    readonly frontendOrigin: string;
    readonly timeoutMs: number;
    readonly devMailboxDir: string;
    readonly brevo: { readonly apiKey: string | undefined; readonly baseUrl: string };
    readonly mailgun: { readonly apiKey: string | undefined; readonly domain: string | undefined; readonly baseUrl: string };
  };
  readonly discord: {
    /** DISCORD_BOT_TOKEN. */
    readonly botToken: string | undefined;
    /** DISCORD_API_BASE_URL, without a trailing slash. */
    readonly apiBaseUrl: string;
    /** DISCORD_CHANNEL_ID_PRODUCTION and DISCORD_CHANNEL_ID_STAGING, by target. */
    readonly announcementChannels: { readonly production: string | undefined; readonly staging: string | undefined };
    readonly timeoutMs: number;
    /** DEV_DISCORD_DIR. */
    readonly devDir: string;
    /** The slash commands: where they are registered, and over which transport they arrive. */
    readonly commands: {
      /** DISCORD_COMMANDS_ENABLED and a bot token, an application id and a guild id are all set. */
      readonly enabled: boolean;
      readonly applicationId: string | undefined;
      readonly guildId: string | undefined;
      /** http when DISCORD_PUBLIC_KEY is set (POST /discord/interactions), else the Gateway. */
      readonly transport: 'gateway' | 'http';
      readonly publicKey: string | undefined;
      readonly leaderRetryMs: number;
      readonly deferAfterMs: number;
    };
  };
  /** The oban_jobs inbox. */
  readonly inbox: {
    readonly enabled: boolean;
    readonly pollMs: number;
    /** The worker strings it takes. */
    readonly workers: readonly string[];
    /** 0: never prune. */
    readonly pruneHours: number;
  };
  /** The email providers' delivery webhooks, received on the HTTP port when their secret is set. */
  readonly emailWebhooks: {
    readonly mailgunSigningKey: string | undefined;
    readonly brevoSecret: string | undefined;
    readonly maxAgeSeconds: number;
  };
  /** OpenTelemetry traces: job spans always exist; they leave the process only when `exporter` is set. */
  readonly tracing: {
    /** OTEL_SERVICE_NAME. */
    readonly serviceName: string;
    /** OTEL_TRACES_SAMPLER_ARG: the share of new traces kept. */
    readonly samplerRatio: number;
    /** Where spans are exported; undefined (no endpoint, or OTEL_TRACES_EXPORTER=none): nowhere. */
    readonly exporter:
      | {
          /** The traces URL: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces. */
          readonly url: string;
          readonly protocol: 'http/protobuf' | 'http/json';
          /** OTEL_EXPORTER_OTLP_HEADERS, names lower-cased; secrets. */
          readonly headers: Readonly<Record<string, string>>;
        }
      | undefined;
  };
}

/** The fantasy season a run started at `now` syncs: ESPN_SEASON when set, else `now`'s UTC year. */
export function seasonFor(espn: Pick<Config['espn'], 'seasonOverride'>, now: Date): number {
  return espn.seasonOverride ?? now.getUTCFullYear();
}

/** The variables whose values are secrets: never logged, masked wherever config is shown. */
export const secretVariables = [
  'DATABASE_URL',
  'STAGING_DATABASE_URL',
  'ESPN_S2',
  'ESPN_SWID',
  'BREVO_API_KEY',
  'MAILGUN_API_KEY',
  'DISCORD_BOT_TOKEN',
  'MAILGUN_WEBHOOK_SIGNING_KEY',
  'BREVO_WEBHOOK_SECRET',
  'OTEL_EXPORTER_OTLP_HEADERS',
] as const;

/** Cross-variable rules that a per-variable schema cannot say. */
function crossCheck(env: Env): string[] {
  const problems: string[] = [];
  if (env.EMAIL_PROVIDER === 'brevo' && !env.BREVO_API_KEY) problems.push('BREVO_API_KEY is required when EMAIL_PROVIDER=brevo');
  if (env.EMAIL_PROVIDER === 'mailgun') {
    if (!env.MAILGUN_API_KEY) problems.push('MAILGUN_API_KEY is required when EMAIL_PROVIDER=mailgun');
    if (!env.MAILGUN_DOMAIN) problems.push('MAILGUN_DOMAIN is required when EMAIL_PROVIDER=mailgun');
  }
  if (env.DEPLOY_ENV === 'production' && env.EMAIL_PROVIDER === 'dev-mailbox') {
    problems.push('EMAIL_PROVIDER must be brevo or mailgun when DEPLOY_ENV=production (got "dev-mailbox")');
  }
  const sendsRealMail = env.EMAIL_PROVIDER !== 'dev-mailbox';
  const hasNonProductionTarget = env.DEPLOY_ENV !== 'production' || env.STAGING_ENABLED;
  if (sendsRealMail && hasNonProductionTarget && !env.EMAIL_REDIRECT_ADDRESS) {
    problems.push('EMAIL_REDIRECT_ADDRESS is required when real email can go to a non-production target');
  }
  if (env.STAGING_ENABLED && env.STAGING_SCHEMA === env.OWNER_SCHEMA && (env.STAGING_DATABASE_URL ?? env.DATABASE_URL) === env.DATABASE_URL) {
    problems.push(`STAGING_SCHEMA must differ from OWNER_SCHEMA when staging shares the production database (both "${env.OWNER_SCHEMA}"); set STAGING_ENABLED=false if there is no staging`);
  }
  if (!env.STAGING_ENABLED && env.STAGING_DATABASE_URL !== undefined) {
    problems.push('STAGING_DATABASE_URL is set but STAGING_ENABLED=false: unset one of them');
  }
  if ((env.ESPN_S2 === undefined) !== (env.ESPN_SWID === undefined)) {
    problems.push('ESPN_S2 and ESPN_SWID must be set together (private leagues need both cookies)');
  }
  return problems;
}

function describeIssue(issue: z.core.$ZodIssue, env: Record<string, string | undefined>): string {
  const variable = String(issue.path[0] ?? '(environment)');
  const raw = env[variable];
  if (raw === undefined) return `${variable} is required`;
  const shown = (secretVariables as readonly string[]).includes(variable) ? '(hidden)' : JSON.stringify(raw);
  return `${variable} ${issue.message} (got ${shown})`;
}

/**
 * Parses the environment once into a frozen, typed Config. Pure: reads only its argument.
 * Empty strings count as unset, so `FOO=` in an env file falls back to the default.
 */
export function loadConfig(rawEnv: Record<string, string | undefined>, now: Date = new Date()): Config {
  const env = Object.fromEntries(Object.entries(rawEnv).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => describeIssue(issue, env)));
  const e = parsed.data;
  const crossProblems = crossCheck(e);
  if (crossProblems.length > 0) throw new ConfigError(crossProblems);

  const frontendOrigin = new URL(e.FRONTEND_URL).origin;
  const targets: TargetConfig[] = [
    { name: 'production', databaseUrl: e.DATABASE_URL, databaseUrlVariable: 'DATABASE_URL', schema: e.OWNER_SCHEMA, isProduction: e.DEPLOY_ENV === 'production', frontendOrigin },
  ];
  if (e.STAGING_ENABLED) {
    targets.push({
      name: 'staging',
      databaseUrl: e.STAGING_DATABASE_URL ?? e.DATABASE_URL,
      databaseUrlVariable: e.STAGING_DATABASE_URL ? 'STAGING_DATABASE_URL' : 'DATABASE_URL',
      schema: e.STAGING_SCHEMA,
      isProduction: false,
      frontendOrigin: new URL(e.STAGING_FRONTEND_URL ?? e.FRONTEND_URL).origin,
    });
  }

  const config: Config = {
    deployEnv: e.DEPLOY_ENV,
    database: {
      url: e.DATABASE_URL,
      poolMax: e.DATABASE_POOL_MAX,
      queueSchema: e.QUEUE_SCHEMA,
      queueMigrate: e.QUEUE_MIGRATE,
      waitMs: e.DATABASE_WAIT_MS,
    },
    queue: { heartbeatSeconds: e.QUEUE_HEARTBEAT_SECONDS, monitorIntervalSeconds: e.QUEUE_MONITOR_INTERVAL_SECONDS },
    maxPayloadBytes: e.MAX_PAYLOAD_BYTES,
    schemaCheck: e.SCHEMA_CHECK,
    repl: { enabled: e.REPL_ENABLED ?? e.DEPLOY_ENV !== 'production', socketPath: e.REPL_SOCKET_PATH },
    build: { version: e.BUILD_VERSION, commit: e.BUILD_COMMIT },
    targets,
    cronEnabled: e.CRON_ENABLED,
    http: { host: e.HTTP_HOST, port: e.HTTP_PORT },
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    espn: {
      leagueId: e.ESPN_LEAGUE_ID,
      seasonOverride: e.ESPN_SEASON,
      baseUrl: e.ESPN_BASE_URL.replace(/\/+$/, ''),
      s2: e.ESPN_S2,
      swid: e.ESPN_SWID,
      timeoutMs: e.ESPN_TIMEOUT_MS,
      syncOwnership: e.ESPN_SYNC_OWNERSHIP,
      playersPagePauseMs: e.ESPN_PLAYERS_PAGE_PAUSE_MS,
    },
    sheets: {
      baseUrl: e.SHEETS_BASE_URL.replace(/\/+$/, ''),
      timeoutMs: e.SHEETS_TIMEOUT_MS,
      minors: { sheetId: e.MINOR_LEAGUE_SHEET_ID, gid: e.MINOR_LEAGUE_SHEET_GID },
      draftPicks: { sheetId: e.DRAFT_PICKS_SHEET_ID, gid: e.DRAFT_PICKS_SHEET_GID },
      draftSeasonThresholds: e.DRAFT_PICKS_SEASON_THRESHOLDS,
      guards: {
        expectedOwners: e.SHEETS_EXPECTED_OWNERS,
        minorsPerOwner: { min: e.MINORS_MIN_PER_OWNER, max: e.MINORS_MAX_PER_OWNER },
        minorsUnownMaxShare: e.MINORS_UNOWN_MAX_SHARE,
        draftPicksMinShare: e.DRAFT_PICKS_MIN_SHARE,
      },
    },
    email: {
      provider: e.EMAIL_PROVIDER,
      from: { address: e.EMAIL_FROM_ADDRESS, name: e.EMAIL_FROM_NAME },
      redirectAddress: e.EMAIL_REDIRECT_ADDRESS,
      frontendOrigin,
      timeoutMs: e.EMAIL_TIMEOUT_MS,
      devMailboxDir: e.DEV_MAILBOX_DIR,
      brevo: { apiKey: e.BREVO_API_KEY, baseUrl: e.BREVO_BASE_URL.replace(/\/+$/, '') },
      mailgun: { apiKey: e.MAILGUN_API_KEY, domain: e.MAILGUN_DOMAIN, baseUrl: e.MAILGUN_BASE_URL.replace(/\/+$/, '') },
    },
    discord: {
      botToken: e.DISCORD_BOT_TOKEN,
      apiBaseUrl: e.DISCORD_API_BASE_URL.replace(/\/+$/, ''),
      announcementChannels: { production: e.DISCORD_CHANNEL_ID_PRODUCTION, staging: e.DISCORD_CHANNEL_ID_STAGING },
      timeoutMs: e.DISCORD_TIMEOUT_MS,
      devDir: e.DEV_DISCORD_DIR,
      commands: {
        enabled: e.DISCORD_COMMANDS_ENABLED && !!e.DISCORD_BOT_TOKEN && !!e.DISCORD_APPLICATION_ID && !!e.DISCORD_GUILD_ID,
        applicationId: e.DISCORD_APPLICATION_ID,
        guildId: e.DISCORD_GUILD_ID,
        transport: e.DISCORD_PUBLIC_KEY ? 'http' : 'gateway',
        publicKey: e.DISCORD_PUBLIC_KEY?.toLowerCase(),
        leaderRetryMs: e.DISCORD_LEADER_RETRY_MS,
        deferAfterMs: e.DISCORD_COMMAND_DEFER_MS,
      },
    },
    inbox: {
      enabled: e.INBOX_ENABLED,
      pollMs: e.INBOX_POLL_MS,
      workers: e.INBOX_WORKERS ?? knownObanWorkers,
      pruneHours: e.INBOX_PRUNE_HOURS,
    },
    emailWebhooks: {
      mailgunSigningKey: e.MAILGUN_WEBHOOK_SIGNING_KEY,
      brevoSecret: e.BREVO_WEBHOOK_SECRET,
      maxAgeSeconds: e.EMAIL_WEBHOOK_MAX_AGE_SECONDS,
    },
    tracing: {
      serviceName: e.OTEL_SERVICE_NAME,
      samplerRatio: e.OTEL_TRACES_SAMPLER_ARG,
      exporter: tracesExporter(e),
    },
  };
  return deepFreeze(config);
}

/** The OTLP traces exporter the variables ask for, or undefined when traces stay in the process. */
function tracesExporter(e: Env): Config['tracing']['exporter'] {
  if (e.OTEL_TRACES_EXPORTER === 'none') return undefined;
  const url = e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (e.OTEL_EXPORTER_OTLP_ENDPOINT ? `${e.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces` : undefined);
  if (url === undefined) return undefined;
  return { url, protocol: e.OTEL_EXPORTER_OTLP_PROTOCOL, headers: e.OTEL_EXPORTER_OTLP_HEADERS ?? {} };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
