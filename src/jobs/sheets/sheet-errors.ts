import { PermanentJobError, RetryableJobError } from '../outcomes.ts';

/** Which sheet a request was for, as config names it; every error message says all three. */
export interface SheetRef {
  /** `minors` or `draft picks`: which of the league's sheets, for people reading the message. */
  readonly name: string;
  readonly sheetId: string;
  readonly gid: string;
}

/** The stable codes of a failed sheet fetch; callers branch on these, never on message text. */
export const sheetErrorCodes = {
  /** 200 but not CSV (Google's sign-in page): the sheet is no longer shared as "anyone with the link". Permanent. */
  notPublic: 'SHEET_NOT_PUBLIC',
  /** 404: no such sheet id, or no tab with that gid. Permanent. */
  notFound: 'SHEET_NOT_FOUND',
  /** 401 / 403. Permanent. */
  forbidden: 'SHEET_FORBIDDEN',
  /** Any other refusal (400, 410, an unfollowed 3xx…). Permanent. */
  rejected: 'SHEET_REJECTED',
  /** 429 or 5xx. Retryable. */
  unavailable: 'SHEET_UNAVAILABLE',
  /** No answer within the timeout. Retryable. */
  timeout: 'SHEET_TIMEOUT',
  /** Connection refused, reset, DNS… Retryable. */
  unreachable: 'SHEET_UNREACHABLE',
  /** More redirects than allowed, or a redirect back to a URL already visited. Retryable. */
  redirectLoop: 'SHEET_REDIRECT_LOOP',
  /** The caller's signal fired (shutdown or job expiry). Retryable. */
  aborted: 'SHEET_ABORTED',
  /** The body is larger than the cap. Permanent. */
  tooLarge: 'SHEET_TOO_LARGE',
  /** The body is not valid CSV. Permanent. */
  malformed: 'SHEET_MALFORMED',
} as const;

export type SheetErrorCode = (typeof sheetErrorCodes)[keyof typeof sheetErrorCodes];

/**
 * The HTTP answer behind a refused request, kept as the job error's `cause` so logs show the
 * status and the start of Google's body (an HTML page, usually).
 */
export class SheetHttpError extends Error {
  override name = 'SheetHttpError';
  readonly status: number;
  readonly body: string;
  constructor(status: number, body: string) {
    super(`HTTP ${status}: ${body.slice(0, 300)}`);
    this.status = status;
    this.body = body;
  }
}

/** The env variables that set a sheet's id and gid, so a message can say what to check. */
const VARIABLES: Readonly<Record<string, { readonly id: string; readonly gid: string }>> = {
  minors: { id: 'MINOR_LEAGUE_SHEET_ID', gid: 'MINOR_LEAGUE_SHEET_GID' },
  'draft picks': { id: 'DRAFT_PICKS_SHEET_ID', gid: 'DRAFT_PICKS_SHEET_GID' },
};

/** `the minors sheet (id 1AbC…, gid 806978055)`. */
export function describeSheet(sheet: SheetRef): string {
  return `the ${sheet.name} sheet (id ${sheet.sheetId}, gid ${sheet.gid})`;
}

function variablesOf(sheet: SheetRef): string {
  const names = VARIABLES[sheet.name];
  return names ? `${names.id} and ${names.gid}` : 'the sheet id and gid settings';
}

/** Maps a non-2xx final answer to a job outcome: refusals are permanent, overload is retryable. */
export function sheetErrorForStatus(status: number, bodyText: string, sheet: SheetRef): Error {
  const cause = new SheetHttpError(status, bodyText);
  const which = describeSheet(sheet);
  if (status === 404) {
    return new PermanentJobError(sheetErrorCodes.notFound, `Google Sheets has no ${which} (404; check ${variablesOf(sheet)})`, { cause });
  }
  if (status === 401 || status === 403) {
    return new PermanentJobError(
      sheetErrorCodes.forbidden,
      `Google Sheets refused ${which} (${status}): share it as "anyone with the link" (viewer), or check ${variablesOf(sheet)}`,
      { cause },
    );
  }
  if (status === 429 || status >= 500) {
    return new RetryableJobError(sheetErrorCodes.unavailable, `Google Sheets answered ${status} for ${which}; the queue will retry`, { cause });
  }
  return new PermanentJobError(sheetErrorCodes.rejected, `Google Sheets answered ${status} for ${which}`, { cause });
}

/** A 200 that is not CSV: what Google serves for a sheet that is no longer public. */
export function sheetNotPublicError(sheet: SheetRef, contentType: string | undefined, bodyText: string): Error {
  const got = contentType ? `"${contentType}"` : 'no content type';
  const start = JSON.stringify(bodyText.slice(0, 60));
  return new PermanentJobError(
    sheetErrorCodes.notPublic,
    `${describeSheet(sheet)} did not come back as CSV (got ${got}, body starts ${start}): it is probably no longer public; ` +
      'share it as "anyone with the link" (viewer)',
  );
}

export function sheetTooLargeError(sheet: SheetRef, maxBytes: number, seenBytes: number): Error {
  return new PermanentJobError(
    sheetErrorCodes.tooLarge,
    `${describeSheet(sheet)} is larger than the ${maxBytes}-byte cap (${seenBytes} bytes or more): is this the league's sheet?`,
  );
}

/** A CSV syntax error, with the line csv-parse stopped at (its message names it; added when it does not). */
export function sheetMalformedError(sheet: SheetRef, error: unknown): Error {
  const line = typeof error === 'object' && error !== null && 'lines' in error && typeof error.lines === 'number' ? error.lines : undefined;
  const reason = error instanceof Error ? error.message : String(error);
  const at = line !== undefined && !/\bline \d/.test(reason) ? ` at line ${line}` : '';
  return new PermanentJobError(sheetErrorCodes.malformed, `${describeSheet(sheet)} is not valid CSV${at}: ${reason}`, { cause: error });
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** Why the request got no usable answer, for errorForSheetTransport. */
export interface TransportContext {
  readonly timeoutMs: number;
  /** The caller's signal (shutdown, job expiry). */
  readonly signal: AbortSignal | undefined;
  /** The client's own whole-request deadline. */
  readonly deadline: AbortSignal;
  readonly maxRedirections: number;
}

/** Maps a transport failure (no usable answer) to a retryable outcome: the next attempt may well work. */
export function sheetErrorForTransport(error: unknown, sheet: SheetRef, context: TransportContext): Error {
  const which = describeSheet(sheet);
  if (context.signal?.aborted) {
    return new RetryableJobError(sheetErrorCodes.aborted, `fetching ${which} was aborted (shutdown or job expiry)`, { cause: error });
  }
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
  if (context.deadline.aborted || (code !== undefined && TIMEOUT_CODES.has(code))) {
    const how = code !== undefined && TIMEOUT_CODES.has(code) ? ` (${code})` : '';
    return new RetryableJobError(sheetErrorCodes.timeout, `Google Sheets did not deliver ${which} within ${context.timeoutMs} ms${how}`, { cause: error });
  }
  const reason = error instanceof Error ? error.message : String(error);
  if (code === 'UND_ERR_REDIRECT_MAX' || /redirect loop/i.test(reason)) {
    return new RetryableJobError(
      sheetErrorCodes.redirectLoop,
      `Google Sheets kept redirecting the export of ${which} (more than ${context.maxRedirections} hops, or back to a URL already visited)`,
      { cause: error },
    );
  }
  const withCode = code !== undefined && !reason.includes(code) ? `${reason} (${code})` : reason;
  return new RetryableJobError(sheetErrorCodes.unreachable, `could not reach Google Sheets for ${which}: ${withCode}`, { cause: error });
}
