import { parse } from 'csv-parse/sync';
import { getGlobalDispatcher, interceptors, type Dispatcher } from 'undici';
import { PermanentJobError } from '../outcomes.ts';
import type { SheetRows } from './sheet-problems.ts';
import {
  sheetErrorForStatus,
  sheetErrorForTransport,
  sheetMalformedError,
  sheetNotPublicError,
  sheetTooLargeError,
  type SheetRef,
} from './sheet-errors.ts';

export type { SheetRef } from './sheet-errors.ts';

/** How to reach Google Sheets; the config gives baseUrl and timeoutMs, tests may shrink the rest. */
export interface SheetFetchOptions {
  /** Origin of the export endpoint. Default (in config, SHEETS_BASE_URL): https://docs.google.com. */
  readonly baseUrl: string;
  /**
   * What the request goes through; it must be able to reach any origin (an Agent, not a Client),
   * since Google redirects the export to *.googleusercontent.com. Default: undici's global dispatcher.
   */
  readonly dispatcher?: Dispatcher;
  /** Whole-request deadline, redirects and body included (SHEETS_TIMEOUT_MS, default 30000). */
  readonly timeoutMs: number;
  /** Shutdown or job expiry. */
  readonly signal?: AbortSignal;
  /** Largest body accepted, in bytes. Default: sheetClientDefaults.maxBytes (5 MiB). */
  readonly maxBytes?: number;
}

/** The defaults of the options config does not set. */
export const sheetClientDefaults = {
  /** The league's sheets are ~100 KB; anything near this is not one of them. */
  maxBytes: 5 * 1024 * 1024,
  /** Google needs one hop (docs.google.com → googleusercontent.com); a few more tolerate a sign-in detour. */
  maxRedirections: 5,
} as const;

/** `{baseUrl}/spreadsheets/d/{sheetId}/export?format=csv&gid={gid}`: the public CSV export of one tab. */
export function sheetExportUrl(baseUrl: string, sheet: Pick<SheetRef, 'sheetId' | 'gid'>): URL {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}/spreadsheets/d/${encodeURIComponent(sheet.sheetId)}/export`);
  url.searchParams.set('format', 'csv');
  url.searchParams.set('gid', sheet.gid);
  return url;
}

/**
 * Downloads one tab of a public Google Sheet as CSV and parses it: every row kept (the first
 * too), every cell a string, ragged rows as they are. Throws job outcomes naming the sheet, never
 * raw HTTP errors, and never retries itself: the queue retries the whole job.
 */
export async function fetchSheetRows(sheet: SheetRef, options: SheetFetchOptions): Promise<SheetRows> {
  const maxBytes = options.maxBytes ?? sheetClientDefaults.maxBytes;
  const maxRedirections = sheetClientDefaults.maxRedirections;
  const url = sheetExportUrl(options.baseUrl, sheet);
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  const dispatcher = (options.dispatcher ?? getGlobalDispatcher()).compose(interceptors.redirect({ maxRedirections, throwOnMaxRedirect: true }));

  let status: number;
  let contentType: string | undefined;
  let body: Buffer;
  try {
    const response = await dispatcher.request({
      origin: url.origin,
      path: url.pathname + url.search,
      method: 'GET',
      headers: { accept: 'text/csv', 'user-agent': 'trademachine-worker' },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      signal,
    });
    status = response.statusCode;
    contentType = headerValue(response.headers['content-type']);
    const declared = Number(headerValue(response.headers['content-length']));
    if (status >= 200 && status < 300 && Number.isFinite(declared) && declared > maxBytes) {
      discard(response.body);
      throw sheetTooLargeError(sheet, maxBytes, declared);
    }
    // An error page is read only far enough to quote it; a sheet up to the cap.
    const read = await readCapped(response.body, status >= 200 && status < 300 ? maxBytes : ERROR_BODY_BYTES);
    if (read.truncated && status >= 200 && status < 300) throw sheetTooLargeError(sheet, maxBytes, read.bytes.length);
    body = read.bytes;
  } catch (error) {
    if (error instanceof PermanentJobError) throw error;
    throw sheetErrorForTransport(error, sheet, { timeoutMs: options.timeoutMs, signal: options.signal, deadline, maxRedirections });
  }

  const text = body.toString('utf8');
  if (status < 200 || status >= 300) throw sheetErrorForStatus(status, text, sheet);
  if (!isCsvContentType(contentType) || looksLikeHtml(text)) throw sheetNotPublicError(sheet, contentType, text);
  return parseCsv(text, sheet);
}

/** RFC 4180 as Google writes it: BOM dropped, quotes honoured, rows of any length, nothing cast. */
function parseCsv(text: string, sheet: SheetRef): SheetRows {
  try {
    return parse(text, { bom: true, relax_column_count: true, skip_empty_lines: false });
  } catch (error) {
    throw sheetMalformedError(sheet, error);
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function isCsvContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && /^text\/csv\s*(;|$)/i.test(contentType.trim());
}

/** A sign-in or error page served with a CSV content type would otherwise parse as one-column rows. */
function looksLikeHtml(text: string): boolean {
  return /^\uFEFF?\s*<(!doctype\s+html|html[\s>])/i.test(text);
}

const ERROR_BODY_BYTES = 64 * 1024;

/** Drops the connection under a body we will not read; undici then reports an abort nobody needs to hear. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {});
  body.destroy();
}

/** Reads the body up to `limit` bytes; past it, stops and drops the connection instead of buffering more. */
async function readCapped(body: Dispatcher.ResponseData['body'], limit: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += bytes.length;
    chunks.push(bytes);
    if (size > limit) {
      discard(body);
      return { bytes: Buffer.concat(chunks), truncated: true };
    }
  }
  return { bytes: Buffer.concat(chunks), truncated: false };
}
