/**
 * The explicit outcomes a job can have besides returning a result (Oban's `{:cancel, _}` and
 * `{:snooze, _}`). Callers branch on the class and the stable `code`, never on message text.
 */

/** Stop retrying: the job can never succeed as given (bad payload, 401, user has DMs off). */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** The payload failed its schema; never retried, dead-lettered with the field that was wrong. */
export class PayloadError extends PermanentJobError {
  override name = 'PayloadError';
  constructor(message: string, options?: ErrorOptions) {
    super('INVALID_PAYLOAD', message, options);
  }
}

/** Worth another attempt (upstream 5xx, timeout); the queue's retry policy decides when. */
export class RetryableJobError extends Error {
  override name = 'RetryableJobError';
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** Run again after a delay without spending an attempt (e.g. an upstream asked us to wait). */
export class SnoozeJob extends Error {
  override name = 'SnoozeJob';
  readonly seconds: number;
  constructor(seconds: number, reason: string) {
    super(reason);
    this.seconds = seconds;
  }
}

/** The stable code of any error, for logs, metrics and the job's stored output. */
export function errorCode(error: unknown): string {
  if (error instanceof PermanentJobError || error instanceof RetryableJobError) return error.code;
  return 'UNEXPECTED';
}

/** Plain JSON for the job's stored output: message, code and the chain of causes. */
export function serializeError(error: unknown): { name: string; code: string; message: string; causes: string[] } {
  const causes: string[] = [];
  let cause = error instanceof Error ? error.cause : undefined;
  while (cause !== undefined && causes.length < 5) {
    causes.push(cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause));
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  if (error instanceof Error) return { name: error.name, code: errorCode(error), message: error.message, causes };
  return { name: 'Error', code: 'UNEXPECTED', message: String(error), causes };
}
