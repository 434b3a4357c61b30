/**
 * `npm run dev:start` (what start-dev.sh runs): starts the embedded PostgreSQL when no DATABASE_URL
 * is set, says where everything is, then runs the worker in this process.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { loadDevEnvFiles } from './lib/load-env-files.ts';

const root = path.resolve(import.meta.dirname, '..');
loadDevEnvFiles(root);

async function startDevPostgres(): Promise<string> {
  const child = spawn(process.execPath, [path.join(root, 'scripts/dev-postgres.ts')], {
    cwd: root,
    detached: true,
    stdio: ['pipe', 'pipe', 'inherit'],
    env: process.env,
  });
  // The pipe is the lifeline: when this process exits, the child's stdin closes and it stops.
  const lines = createInterface({ input: child.stdout });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited before it was ready (code ${code})`)));
    lines.once('line', (line) => {
      const { url } = JSON.parse(line) as { url: string };
      resolve(url);
    });
  });
}

if (!process.env.DATABASE_URL) {
  process.stdout.write('Starting embedded PostgreSQL (data in .data/postgres)…\n');
  process.env.DATABASE_URL = await startDevPostgres();
}

const host = process.env.HTTP_HOST ?? '127.0.0.1';
const port = process.env.HTTP_PORT ?? '4100';
const base = `http://${host}:${port}`;
const shownDbUrl = process.env.DATABASE_URL.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
process.stdout.write(
  [
    '',
    'TradeMachine worker (development)',
    `  database   ${shownDbUrl}`,
    `  health     ${base}/health   ready: ${base}/ready`,
    `  metrics    ${base}/metrics`,
    `  mailbox    ${base}/mailbox`,
    `  enqueue    npm run enqueue -- email.send '{"type":"test","userId":"…"}'`,
    '  console    npm run console',
    '  stop       Ctrl-C',
    '',
    '',
  ].join('\n'),
);

await import('../src/main.ts');
