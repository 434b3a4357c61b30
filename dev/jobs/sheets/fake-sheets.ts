/**
 * A local stand-in for Google Sheets' CSV export that keeps its contract: docs.google.com answers
 * `/spreadsheets/d/{id}/export?format=csv&gid={gid}` with a 307 to a second host
 * (*.googleusercontent.com), which serves `text/csv; charset=utf-8`; an unknown id or gid is a 404
 * HTML page, and a sheet that is no longer public ends on Google's sign-in page (200, text/html).
 * Both "hosts" are paths of this one server. Faults on demand: private, any status, slowness,
 * broken CSV, an endless redirect chain. The real client code runs against it in the tests.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { stringify } from 'csv-stringify/sync';
import { listenOnLoopback } from '../../loopback-server.ts';

/** One fault for a sheet id, served until cleared, or `times` requests to the export URL when given. */
export type FakeSheetsFault =
  | { readonly kind: 'private'; readonly times?: number }
  | { readonly kind: 'status'; readonly status: number; readonly times?: number }
  | { readonly kind: 'delay'; readonly ms: number; readonly times?: number }
  | { readonly kind: 'garbage'; readonly body?: string; readonly times?: number }
  | { readonly kind: 'redirectLoop'; readonly times?: number };

export interface FakeSheetOptions {
  /** Start the CSV with a UTF-8 byte-order mark. Default: false (Google sends none). */
  readonly bom?: boolean;
}

export interface RecordedSheetRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** When it arrived (performance.now()). */
  readonly at: number;
}

export interface FakeSheets {
  /** Stands for https://docs.google.com: pass it as SHEETS_BASE_URL. */
  readonly url: string;
  /** Serves (or replaces) one tab of a sheet. */
  setSheet(sheetId: string, gid: string, rows: readonly (readonly string[])[], options?: FakeSheetOptions): void;
  /** Sets the fault of every tab of a sheet; undefined clears it. */
  setFault(sheetId: string, fault: FakeSheetsFault | undefined): void;
  /** Every request received (both hops), in order. */
  readonly requests: RecordedSheetRequest[];
  /** Forgets sheets, faults and recorded requests, for a clean slate between tests. */
  reset(): void;
  close(): Promise<void>;
}

const EXPORT_ROUTE = /^\/spreadsheets\/d\/([^/]+)\/export$/;
/** The googleusercontent.com side: `/export-content/{id}/{gid}` (Google's carries an opaque token). */
const CONTENT_ROUTE = /^\/export-content\/([^/]+)\/([^/]+)$/;
const SIGN_IN_PATH = '/v3/signin/identifier';

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** Google's error pages are HTML, whatever was asked for. */
export function googleErrorPage(status: number, text = 'Sorry, unable to open the file at this time.'): string {
  const title = `Error ${status} (${STATUS_TEXT[status] ?? 'Error'})`;
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><p><b>${status}.</b> <ins>That’s an error.</ins></p><p>${text}</p></body></html>`;
}

/** What a signed-out visitor gets for a sheet that is no longer shared with "anyone with the link". */
export const GOOGLE_SIGN_IN_PAGE =
  '<!doctype html><html lang="en" dir="ltr"><head><meta charset="utf-8"><title>Google Sheets</title></head>' +
  '<body><div id="initialView"><h1>Sign in</h1><p>to continue to Sheets</p><form action="/v3/signin/_/AccountsSignInUi">' +
  '<input type="email" name="identifier"></form></div></body></html>';

/** An unclosed quote on the second line: what a truncated or corrupted export looks like. */
const BROKEN_CSV = 'Round,Owner,,OVR\n1,"Alice,,12\n2,Bob,,13\n';

function sendHtml(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(307, { location, 'content-type': 'text/html; charset=UTF-8', 'content-length': 0 });
  res.end();
}

function sendCsv(res: ServerResponse, body: string): void {
  res.writeHead(200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': 'attachment; filename="sheet.csv"',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

export async function startFakeSheets(): Promise<FakeSheets> {
  const sheets = new Map<string, string>(); // `${id}/${gid}` → CSV text
  const faults = new Map<string, FakeSheetsFault>();
  const requests: RecordedSheetRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  /** The sheet's fault for this request, counting down `times`. */
  const takeFault = (sheetId: string): FakeSheetsFault | undefined => {
    const fault = faults.get(sheetId);
    if (!fault || fault.times === undefined) return fault;
    if (fault.times <= 1) faults.delete(sheetId);
    else faults.set(sheetId, { ...fault, times: fault.times - 1 });
    return fault;
  };

  /** Bodies of `garbage` faults in flight, by the token the redirect carries to the content hop. */
  const garbage = new Map<string, string>();
  let garbageTokens = 0;

  const later = (ms: number, res: ServerResponse, then: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!res.destroyed) then();
    }, ms);
    timers.add(timer);
  };

  /** docs.google.com: a fault if one is set, else check the sheet and hand the download to the content host. */
  const exportHop = (res: ServerResponse, sheetId: string, query: URLSearchParams): void => {
    const fault = takeFault(sheetId);
    const gid = query.get('gid') ?? '0';
    const content = `/export-content/${encodeURIComponent(sheetId)}/${encodeURIComponent(gid)}?format=csv`;
    switch (fault?.kind) {
      case 'status':
        return sendHtml(res, fault.status, googleErrorPage(fault.status));
      case 'private':
        return redirect(res, `${SIGN_IN_PATH}?continue=${encodeURIComponent(`https://docs.google.com/spreadsheets/d/${sheetId}/export`)}`);
      case 'delay':
        return later(fault.ms, res, () => serveExport(res, sheetId, gid, query, content));
      case 'redirectLoop':
        return redirect(res, `${content}&loop=${Number(query.get('loop') ?? 0) + 1}`);
      case 'garbage': {
        const token = String(++garbageTokens);
        garbage.set(token, fault.body ?? BROKEN_CSV);
        return redirect(res, `${content}&garbage=${token}`);
      }
      default:
        return serveExport(res, sheetId, gid, query, content);
    }
  };

  const serveExport = (res: ServerResponse, sheetId: string, gid: string, query: URLSearchParams, content: string): void => {
    if (query.get('format') !== 'csv') return sendHtml(res, 400, googleErrorPage(400));
    if (!sheets.has(`${sheetId}/${gid}`)) return sendHtml(res, 404, googleErrorPage(404));
    redirect(res, content);
  };

  /** *.googleusercontent.com: the CSV itself (or, in a redirect loop, back to docs.google.com). */
  const contentHop = (res: ServerResponse, sheetId: string, gid: string, query: URLSearchParams): void => {
    const loop = query.get('loop');
    if (loop !== null) return redirect(res, `/spreadsheets/d/${encodeURIComponent(sheetId)}/export?format=csv&gid=${gid}&loop=${loop}`);
    const token = query.get('garbage');
    if (token !== null) {
      const body = garbage.get(token) ?? BROKEN_CSV;
      garbage.delete(token);
      return sendCsv(res, body);
    }
    const csv = sheets.get(`${sheetId}/${gid}`);
    if (csv === undefined) return sendHtml(res, 404, googleErrorPage(404));
    sendCsv(res, csv);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake-sheets');
    requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, at: performance.now() });
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendHtml(res, 405, googleErrorPage(405));
    const exportMatch = EXPORT_ROUTE.exec(url.pathname);
    if (exportMatch) {
      return exportHop(res, decodeURIComponent(exportMatch[1] ?? ''), url.searchParams);
    }
    const contentMatch = CONTENT_ROUTE.exec(url.pathname);
    if (contentMatch) return contentHop(res, decodeURIComponent(contentMatch[1] ?? ''), decodeURIComponent(contentMatch[2] ?? ''), url.searchParams);
    if (url.pathname === SIGN_IN_PATH) return sendHtml(res, 200, GOOGLE_SIGN_IN_PAGE);
    sendHtml(res, 404, googleErrorPage(404, 'The requested URL was not found on this server.'));
  });
  const listening = await listenOnLoopback(server);

  return {
    url: listening.baseUrl,
    setSheet: (sheetId, gid, rows, options = {}) => {
      // Quoted where needed (commas, quotes, any line break), lines ended by \r\n, as Google writes it.
      const csv = stringify(rows.map((row) => [...row]), { record_delimiter: 'windows', quoted_match: /[\r\n]/, bom: options.bom ?? false });
      sheets.set(`${sheetId}/${gid}`, csv);
    },
    setFault: (sheetId, fault) => {
      if (fault) faults.set(sheetId, fault);
      else faults.delete(sheetId);
    },
    requests,
    reset: () => {
      sheets.clear();
      faults.clear();
      garbage.clear();
      requests.length = 0;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      await listening.close();
    },
  };
}
