/**
 * `npm run dev:start` (what start-dev.sh runs): starts the embedded PostgreSQL when no DATABASE_URL
 * is set (seeded with the dev league on first start), starts the upstream stand-ins whose real
 * service is not configured (dev/stand-ins.ts), says where everything is and what to try, then
 * runs the worker in this process.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { devBanner } from '../dev/dev-banner.ts';
import { firstSteps, type FirstStep } from '../dev/first-steps.ts';
import { isSeeded } from '../dev/seed/seed-database.ts';
import { startStandIns } from '../dev/stand-ins.ts';
import { loadDevEnvFiles } from './lib/load-env-files.ts';

const root = path.resolve(import.meta.dirname, '..');
loadDevEnvFiles(root);

/** dev-postgres said why on stderr (one line) and exited: nothing to add. */
class DevPostgresExited extends Error {
  readonly exitCode: number;
  constructor(code: number | null) {
    super(`embedded PostgreSQL exited before it was ready (code ${code})`);
    this.exitCode = code || 1;
  }
}

async function startDevPostgres(): Promise<{ url: string; seeded?: string }> {
  const child = spawn(process.execPath, [path.join(root, 'scripts/dev-postgres.ts')], {
    cwd: root,
    detached: true,
    stdio: ['pipe', 'pipe', 'inherit'],
    env: process.env,
  });
  // The pipe is the lifeline: when this process exits, the child's stdin closes and it stops.
  const lines = createInterface({ input: child.stdout });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new DevPostgresExited(code)));
    lines.once('line', (line) => resolve(JSON.parse(line) as { url: string; seeded?: string }));
  });
}

/** Whether something already listens on host:port (say, a worker started earlier): checked before anything starts. */
function portTaken(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    // Anything but "in use" (a bad host, a privileged port) is left for the worker to report.
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE'));
    probe.listen(port, host, () => probe.close(() => resolve(false)));
  });
}

const host = process.env.HTTP_HOST ?? '127.0.0.1';
const port = process.env.HTTP_PORT ?? '4100';
if (/^\d+$/.test(port) && (await portTaken(host, Number(port)))) {
  process.stderr.write(`port ${port} on ${host} (HTTP_PORT) is already in use: is start-dev.sh already running? stop it, or set HTTP_PORT to a free port (in .env)\n`);
  process.exit(1);
}

if (!process.env.DATABASE_URL) {
  process.stdout.write(`Starting embedded PostgreSQL (data in ${process.env.DEV_POSTGRES_DIR ?? '.data/postgres'})…\n`);
  const started = await startDevPostgres().catch((error: unknown) => {
    if (error instanceof DevPostgresExited) process.exit(error.exitCode);
    throw error;
  });
  process.env.DATABASE_URL = started.url;
  if (started.seeded) process.stdout.write(`Seeded the ${started.seeded}\n`);
}
const databaseUrl = process.env.DATABASE_URL;

const standIns = await startStandIns(process.env);
Object.assign(process.env, standIns.env);

let steps: FirstStep[] = [];
try {
  steps = firstSteps(process.env.FRONTEND_URL ?? 'http://localhost:3000');
} catch {
  // A FRONTEND_URL that is no URL: the worker's config check names it in a moment.
}

process.stdout.write(
  devBanner({
    databaseUrl,
    httpBase: `http://${host}:${port}`,
    upstreams: standIns.lines,
    firstSteps: steps,
    seeded: await isSeeded(databaseUrl, process.env.OWNER_SCHEMA),
  }),
);

await import('../src/main.ts');
