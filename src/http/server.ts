import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A readiness check: resolves to a short status, rejects or returns ok=false when not ready. */
export type ReadinessCheck = () => Promise<{ ok: boolean; detail?: string }>;

/** A sub-handler that answers the requests it owns and returns false for the rest. */
export type RouteHandler = (request: IncomingMessage, response: ServerResponse) => boolean | Promise<boolean>;

export interface HttpServerOptions {
  readonly host: string;
  readonly port: number;
  readonly readiness: Record<string, ReadinessCheck>;
  readonly routes: readonly RouteHandler[];
  /** What /health adds beside `status: ok`: state worth seeing that is not readiness (e.g. the Discord commands). */
  readonly healthDetails?: () => Record<string, unknown>;
}

export interface RunningHttpServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

/**
 * Runs every check with a time limit, so a hung database makes /ready say "not ready" instead of
 * hanging the orchestrator's probe.
 */
async function runChecks(checks: Record<string, ReadinessCheck>, timeoutMs: number) {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        const result = await Promise.race([
          check(),
          new Promise<{ ok: boolean; detail: string }>((resolve) => setTimeout(() => resolve({ ok: false, detail: `no answer in ${timeoutMs} ms` }), timeoutMs).unref()),
        ]);
        return [name, result] as const;
      } catch (error) {
        return [name, { ok: false, detail: error instanceof Error ? error.message : String(error) }] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}

/** The worker's HTTP face: /health (the process answers), /ready (its dependencies answer), and the routes given. */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const server = createServer(async (request, response) => {
    try {
      const path = new URL(request.url ?? '/', 'http://worker').pathname;
      if (request.method === 'GET' && path === '/health') return sendJson(response, 200, { status: 'ok', ...options.healthDetails?.() });
      if (request.method === 'GET' && path === '/ready') {
        const checks = await runChecks(options.readiness, 2000);
        const ready = Object.values(checks).every((check) => check.ok);
        return sendJson(response, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks });
      }
      for (const route of options.routes) {
        if (await route(request, response)) return;
      }
      sendJson(response, 404, { error: `no route for ${request.method} ${path}` });
    } catch (error) {
      if (!response.headersSent) sendJson(response, 500, { error: error instanceof Error ? error.message : String(error) });
      else response.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
