/**
 * Pure translation of one `oban_jobs` row (jobs-reference §7) into the job it becomes here. No I/O:
 * what needs a database read (a user's reset token) is read beforehand (see `resetTokenNeeded` and
 * src/inbox/reset-tokens.ts) and passed in `context`.
 *
 * `env` → target, one rule for every worker (the previous worker disagreed with itself, §4 vs §5.1):
 * - `"production"` → production;
 * - `"staging"` or `"development"` → staging;
 * - missing or null → the target whose `oban_jobs` the row was inserted into (the owner always sets it);
 * - anything else → the row is discarded, naming `args.env`.
 * Syncs ignore `env` and run with `databaseScope: 'both'`, whichever schema they were inserted into
 * (fixing §6.3: a sync enqueued on staging runs).
 */
import { findJob } from '../jobs/index.ts';
import { parsePayload } from '../jobs/payload.ts';
import { traceContextSchema, type TraceContext } from '../jobs/job-envelope.ts';
import { isObanWorker, knownObanWorkers, type ObanWorker } from './oban-workers.ts';

export type TargetName = 'production' | 'staging';

export interface ObanRowInput {
  readonly id: number;
  readonly worker: string;
  readonly args: unknown;
}

export interface TranslateContext {
  /** The target whose `oban_jobs` holds the row. */
  readonly rowTarget: TargetName;
  /**
   * Each target's web-app origin (FRONTEND_URL, STAGING_FRONTEND_URL): the reset and registration
   * links are built on the origin of the target the row's `env` names (production's when that one is not configured).
   */
  readonly frontendOrigins: Readonly<Partial<Record<TargetName, string>>>;
  /** `user."passwordResetToken"` by `${target}:${userId}`, read beforehand for reset_password rows. */
  readonly resetTokens?: ReadonlyMap<string, string | null>;
  /** Largest payload as JSON bytes. */
  readonly maxPayloadBytes?: number;
}

export interface Translated {
  readonly job: string;
  readonly payload: object;
  readonly target: TargetName;
}

export type Translation = Translated | { readonly error: string };

const SYNC_JOBS = {
  'TradeMachine.Jobs.EspnTeamSync': 'espn.team-sync',
  'TradeMachine.Jobs.EspnMlbPlayersSync': 'espn.players-sync',
  'TradeMachine.Jobs.MinorsSync': 'sheets.minors-sync',
  'TradeMachine.Jobs.DraftPicksSync': 'sheets.draft-picks-sync',
} as const satisfies Partial<Record<ObanWorker, string>>;


const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;


/** The key of `context.resetTokens`. */
export function resetTokenKey(target: TargetName, userId: string): string {
  return `${target}:${userId.toLowerCase()}`;
}

class ArgError extends Error {}

type Args = Readonly<Record<string, unknown>>;

function argsOf(row: ObanRowInput): Args {
  const args = row.args;
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    throw new ArgError(`${row.worker}: args must be a JSON object (got ${args === null ? 'null' : Array.isArray(args) ? 'an array' : typeof args})`);
  }
  return args as Args;
}

function str(args: Args, key: string, worker: string): string {
  const value = args[key];
  if (typeof value !== 'string' || value.length === 0) {
    throw new ArgError(`${worker}: args.${key} must be a non-empty string (got ${value === undefined ? 'nothing' : JSON.stringify(value)})`);
  }
  return value;
}

function optionalStr(args: Args, key: string, worker: string): string | undefined {
  const value = args[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ArgError(`${worker}: args.${key} must be a string when given (got ${JSON.stringify(value)})`);
  return value;
}

function optionalBool(args: Args, key: string, worker: string): boolean | undefined {
  const value = args[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new ArgError(`${worker}: args.${key} must be true or false when given (got ${JSON.stringify(value)})`);
  return value;
}

/** `env` → target, by the one rule documented above. */
export function targetOfEnv(env: unknown, rowTarget: TargetName, worker = 'args'): TargetName {
  if (env === undefined || env === null) return rowTarget;
  if (env === 'production') return 'production';
  if (env === 'staging' || env === 'development') return 'staging';
  throw new ArgError(`${worker}: args.env must be production, staging or development (got ${JSON.stringify(env)})`);
}

/** The owner's trace context when valid (§6.4); an invalid one is dropped, so the job starts a trace of its own rather than being discarded. */
function traceContextOf(args: Args): TraceContext | undefined {
  const raw = args.trace_context;
  if (raw === null || typeof raw !== 'object') return undefined;
  const { traceparent, tracestate } = raw as Record<string, unknown>;
  // A tracestate the envelope refuses (too long, not text) is dropped; the traceparent alone still links the trace.
  const whole = traceContextSchema.safeParse(typeof tracestate === 'string' && tracestate !== '' ? { traceparent, tracestate } : { traceparent });
  if (whole.success) return whole.data;
  const parentOnly = traceContextSchema.safeParse({ traceparent });
  return parentOnly.success ? parentOnly.data : undefined;
}

/** Drops undefined fields, so a strict schema sees only what was given. */
function defined(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/** For a reset_password row: whose token must be read before translating it. */
export function resetTokenNeeded(row: ObanRowInput, rowTarget: TargetName): { target: TargetName; userId: string } | undefined {
  if (row.worker !== 'TradeMachine.Jobs.EmailWorker') return undefined;
  const args = row.args as Args | null;
  if (!args || typeof args !== 'object' || args.email_type !== 'reset_password') return undefined;
  const userId = args.data ?? args.user_id;
  if (typeof userId !== 'string') return undefined;
  try {
    return { target: targetOfEnv(args.env, rowTarget), userId };
  } catch {
    return undefined;
  }
}

function emailPayload(args: Args, worker: string, context: TranslateContext, target: TargetName): Record<string, unknown> {
  const type = str(args, 'email_type', worker);
  const origin = (context.frontendOrigins[target] ?? context.frontendOrigins.production ?? '').replace(/\/+$/, '');
  switch (type) {
    case 'reset_password': {
      const userId = (args.data ?? args.user_id) as unknown;
      if (typeof userId !== 'string' || !UUID.test(userId)) {
        throw new ArgError(`${worker}: args.data must be the user's id (a UUID) for reset_password (got ${JSON.stringify(userId ?? null)})`);
      }
      const token = context.resetTokens?.get(resetTokenKey(target, userId));
      if (token === undefined) throw new ArgError(`${worker}: the reset token of user ${userId} could not be read: target ${target} is not configured`);
      if (token === null || token === '') throw new ArgError(`${worker}: user ${userId} in ${target} has no passwordResetToken, so no reset link can be built`);
      return { type: 'password_reset', target, userId, resetUrl: `${origin}/reset_password#token=${encodeURIComponent(token)}` };
    }
    case 'registration':
    case 'registration_email': {
      const userId = (args.data ?? args.user_id) as unknown;
      if (typeof userId !== 'string') throw new ArgError(`${worker}: args.data (the user id) must be a string for ${type}`);
      return { type: 'registration', target, userId, registrationUrl: `${origin}/register` };
    }
    case 'test': {
      const userId = (args.data ?? args.user_id) as unknown;
      if (typeof userId !== 'string') throw new ArgError(`${worker}: args.data (the user id) must be a string for test`);
      return { type: 'test', target, userId };
    }
    case 'trade_request':
      return {
        type: 'trade_request',
        target,
        tradeId: str(args, 'trade_id', worker),
        recipientUserId: str(args, 'recipient_user_id', worker),
        acceptUrl: str(args, 'accept_url', worker),
        declineUrl: str(args, 'decline_url', worker),
      };
    case 'trade_declined':
      return defined({
        type: 'trade_declined',
        target,
        tradeId: str(args, 'trade_id', worker),
        recipientUserId: str(args, 'recipient_user_id', worker),
        isCreator: optionalBool(args, 'is_creator', worker) ?? false,
        // The owner's decline_url on a declined notice is the trade's "view" link.
        tradeUrl: optionalStr(args, 'decline_url', worker),
      });
    case 'trade_submit': {
      const submitUrl = str(args, 'submit_url', worker);
      return {
        type: 'trade_submit',
        target,
        tradeId: str(args, 'trade_id', worker),
        recipientUserId: str(args, 'recipient_user_id', worker),
        submitUrl,
        // The submit page is the trade's page: today's template links tradeUrl.
        tradeUrl: submitUrl,
      };
    }
    default:
      throw new ArgError(`${worker}: args.email_type ${JSON.stringify(type)} is not one of reset_password, registration_email, trade_request, trade_declined, trade_submit, test`);
  }
}

function discordJob(args: Args, worker: string, target: TargetName): { job: string; payload: Record<string, unknown> } {
  const jobType = str(args, 'job_type', worker);
  const dm = () => ({
    target,
    tradeId: str(args, 'trade_id', worker),
    recipientUserId: str(args, 'recipient_user_id', worker),
    notificationSettingsUrl: optionalStr(args, 'notification_settings_url', worker),
  });
  switch (jobType) {
    case 'trade_announcement':
      return { job: 'discord.trade-announcement', payload: { target, tradeId: str(args, 'data', worker) } };
    case 'trade_request_dm':
      return {
        job: 'discord.trade-dm',
        payload: defined({ ...dm(), kind: 'request', acceptUrl: str(args, 'accept_url', worker), declineUrl: str(args, 'decline_url', worker) }),
      };
    case 'trade_submit_dm':
      return { job: 'discord.trade-dm', payload: defined({ ...dm(), kind: 'submit', submitUrl: str(args, 'submit_url', worker) }) };
    case 'trade_declined_dm':
      return {
        job: 'discord.trade-dm',
        payload: defined({
          ...dm(),
          kind: 'declined',
          isCreator: optionalBool(args, 'is_creator', worker) ?? false,
          viewUrl: optionalStr(args, 'decline_url', worker),
        }),
      };
    default:
      throw new ArgError(`${worker}: args.job_type ${JSON.stringify(jobType)} is not one of trade_announcement, trade_request_dm, trade_submit_dm, trade_declined_dm`);
  }
}

function translateKnown(row: ObanRowInput, worker: ObanWorker, context: TranslateContext): Translated {
  const args = argsOf(row);
  const traceContext = traceContextOf(args);
  let job: string;
  let payload: Record<string, unknown>;
  let target: TargetName;
  switch (worker) {
    case 'TradeMachine.Jobs.EmailWorker':
      target = targetOfEnv(args.env, context.rowTarget, worker);
      job = 'email.send';
      payload = emailPayload(args, worker, context, target);
      break;
    case 'TradeMachine.Jobs.EmailWebhookWorker':
      target = targetOfEnv(args.env, context.rowTarget, worker);
      job = 'email.status';
      // The owner's webhook endpoint is Brevo's; `email` and `reason` are ignored, as before (§4).
      payload = { target, messageId: str(args, 'message_id', worker), event: str(args, 'event', worker), provider: 'brevo' };
      break;
    case 'TradeMachine.Jobs.DiscordWorker':
      target = targetOfEnv(args.env, context.rowTarget, worker);
      ({ job, payload } = discordJob(args, worker, target));
      break;
    default:
      // A sync: both targets, whichever schema it came from (§6.3 fixed); the row's target is the
      // one its outcome is written back to.
      target = context.rowTarget;
      job = SYNC_JOBS[worker];
      payload = { databaseScope: 'both' };
  }
  // The envelope every job takes (src/jobs/job-envelope.ts): the row it came from, recorded on its
  // span and, for a sync, in the run's "obanJobId"; and the owner's trace, which its span continues.
  const envelope = { obanJob: { target: context.rowTarget, id: row.id }, ...(traceContext ? { traceContext } : {}) };
  const checked = parsePayload(findJob(job), { ...payload, ...envelope }, { maxBytes: context.maxPayloadBytes });
  return { job, payload: checked as object, target };
}

/**
 * The job an `oban_jobs` row becomes, or an error naming the worker string or the argument that is
 * wrong (the row is then discarded). Never throws for bad input.
 */
export function translateObanRow(row: ObanRowInput, context: TranslateContext): Translation {
  if (!isObanWorker(row.worker)) {
    return { error: `unknown worker ${JSON.stringify(row.worker)}: this worker takes ${knownObanWorkers.join(', ')}` };
  }
  try {
    return translateKnown(row, row.worker, context);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Arg errors name the worker already; a payload the job's schema refuses names the job's field.
    return { error: error instanceof ArgError ? message : `${row.worker}: args do not make a valid ${message}` };
  }
}
