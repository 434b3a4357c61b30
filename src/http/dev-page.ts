import type { ServerResponse } from 'node:http';

/**
 * What the dev pages (/mailbox, /discord) share: a locked-down response (their own CSP, no
 * sniffing, never cached; HEAD gets the headers only) and the `?page=` parameter.
 */
export function sendDevPage(res: ServerResponse, contentSecurityPolicy: string, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': type,
    'content-security-policy': contentSecurityPolicy,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
    ...extra,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/** `?page=N` (1 when absent); undefined when it is not a positive integer (the page answers 400). */
export function pageParameter(url: URL): number | undefined {
  const raw = url.searchParams.get('page');
  if (raw === null) return 1;
  return /^[1-9]\d{0,8}$/.test(raw) ? Number(raw) : undefined;
}
