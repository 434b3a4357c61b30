/**
 * Issue 7, end to end: a real worker process (src/main.ts) with its console on a Unix socket. Every
 * spelling of "exit this process" typed into a console session ends that session only; afterwards
 * the worker still stops on the first SIGTERM, with exit code 0.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { findFreePort } from '../support/free-port.ts';
import { repoRoot, startNodeScript } from '../support/spawn-node.ts';
import { helloLine } from '../../src/repl/console-hello.ts';
import { ConsoleDriver, PROMPT, within } from './console-driver.ts';

/** What a console user might type to stop "the process", each tried in its own session. */
const EXIT_SPELLINGS = [
  'process.exit(3)',
  'process.exit()',
  'globalThis.process.exit(3)',
  "require('node:process').exit(3)",
  "require('process').exit(3)",
  "(await import('node:process')).default.exit(3)",
  "(await import('node:process')).exit(3)",
  "const { exit } = await import('process'); exit(3)",
  'process.reallyExit(3)',
  'process.abort()',
  "process.kill(process.pid, 'SIGTERM')",
  "process.kill(process.pid, 'SIGKILL')",
  "process.kill(0, 'SIGTERM')",
  "process.kill(-process.pid, 'SIGKILL')",
  "require('node:process').kill(process.pid, 'SIGINT')",
  'process._kill(process.pid, 9)',
  'await new Promise((resolve) => setTimeout(resolve, 20)); process.exit(3)',
  "setTimeout(() => require('node:process').exit(3), 20); 'later'",
];

/** How long the worker may take to stop after SIGTERM when no job is running. */
const STOP_BOUND_MS = 15_000;

interface WorkerProcess {
  readonly socketPath: string;
  readonly lines: Record<string, unknown>[];
  stderr(): string;
  running(): boolean;
  health(): Promise<number>;
  openConsole(): { driver: ConsoleDriver; exited: Promise<number | null> };
  /** One SIGTERM; the exit code, or 'still running' after the bound. */
  terminate(): Promise<number | null | 'still running'>;
  kill(): void;
}

/** Console clients started by the tests; any still running at the end (a failed test) are ended. */
const consoles = new Set<ChildProcessWithoutNullStreams>();

async function startWorkerProcess(database: TestDatabase, dir: string): Promise<WorkerProcess> {
  const socketPath = path.join(dir, 'run', 'repl.sock');
  const port = await findFreePort();
  // Held open, so only process.exit ends it: as under `npm run dev`, where issue 7 was seen.
  const args = ['--disable-sigusr1', '--import', path.join(import.meta.dirname, 'hold-event-loop.ts'), path.join(repoRoot, 'src/main.ts')];
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, args, {
    cwd: repoRoot,
    // Its own process group, so a `process.kill(0, …)` that got through could not hit the test runner.
    detached: true,
    env: {
      PATH: process.env.PATH ?? '',
      TZ: 'UTC',
      DATABASE_URL: database.url,
      HTTP_PORT: String(port),
      LOG_FORMAT: 'json',
      DEPLOY_ENV: 'test',
      REPL_ENABLED: 'true',
      REPL_SOCKET_PATH: socketPath,
      DEV_MAILBOX_DIR: path.join(dir, 'mailbox'),
    },
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines: Record<string, unknown>[] = [];
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      lines.push(entry);
      if (entry.msg === 'REPL listening (npm run console)') resolve();
    });
    void exited.then((code) => reject(new Error(`worker exited early with ${code}: ${stderr}`)));
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    socketPath,
    lines,
    stderr: () => stderr,
    running,
    health: async () => (await fetch(`http://127.0.0.1:${port}/health`)).status,
    openConsole() {
      const console = startNodeScript('scripts/console.ts', ['--socket', socketPath], {});
      consoles.add(console);
      console.once('exit', () => consoles.delete(console));
      console.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
      return { driver: new ConsoleDriver(console.stdout, console.stdin), exited: once(console, 'exit').then(([code]) => code as number | null) };
    },
    terminate() {
      child.kill('SIGTERM');
      return Promise.race([exited, sleep(STOP_BOUND_MS).then(() => 'still running' as const)]);
    },
    kill() {
      if (running()) child.kill('SIGKILL');
    },
  };
}

let database: TestDatabase;
let dir: string;
before(async () => {
  database = await createTestDatabase();
  dir = await mkdtemp(path.join(tmpdir(), 'tm-console-exit-'));
});
after(async () => {
  for (const child of consoles) child.kill();
  await database.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('issue 7 as reported: 1+1, .exit, SIGTERM', () => {
  let worker: WorkerProcess;
  before(async () => (worker = await startWorkerProcess(database, path.join(dir, 'reported'))));
  after(() => worker.kill());

  test('the first SIGTERM stops the worker with exit code 0', async () => {
    // As `npm run console` on a terminal: the hello says terminal, keystrokes go raw.
    const socket = net.connect(worker.socketPath);
    await once(socket, 'connect');
    socket.write(helloLine({ terminal: true, columns: 80 }));
    const driver = new ConsoleDriver(socket, socket);
    await driver.waitFor(PROMPT);
    const from = driver.text.length;
    driver.write('1+1\r');
    await driver.waitFor(/2\s+trademachine> /, from);
    driver.write('.exit\r');
    await driver.waitForEnd();
    assert.equal(await worker.health(), 200);
    assert.equal(await worker.terminate(), 0, `exit code after one SIGTERM (stderr: ${worker.stderr()})`);
    const messages = worker.lines.map((line) => line.msg);
    assert.ok(messages.includes('worker stopped'), messages.join(' | '));
  });
});

describe('every spelling of exit ends the session only', () => {
  let worker: WorkerProcess;
  before(async () => (worker = await startWorkerProcess(database, path.join(dir, 'spellings'))));
  after(() => worker.kill());

  for (const input of EXIT_SPELLINGS) {
    test(input, async () => {
      assert.ok(worker.running(), 'the worker survived the previous attempts');
      const session = worker.openConsole();
      await session.driver.waitFor(PROMPT);
      session.driver.write(`${input}\n`);
      assert.equal(await within(session.exited, 'the console to exit'), 0, 'the console left normally');
      assert.match(session.driver.text, /ends this console session; the worker keeps running/);
      assert.ok(worker.running(), `the worker still runs (stderr: ${worker.stderr()})`);
      assert.equal(await worker.health(), 200);
    });
  }

  test('afterwards a new session works on an intact process', async () => {
    assert.ok(worker.running());
    const session = worker.openConsole();
    await session.driver.waitFor(PROMPT);
    assert.match(await session.driver.evaluate('typeof process.hrtime.bigint()'), /'bigint'/);
    assert.match(await session.driver.evaluate("require('node:process') === process && globalThis.process === process"), /true/);
    assert.match(await session.driver.evaluate('process.kill(process.pid, 0)'), /true/, 'a signal-0 probe is no exit');
    session.driver.write('.exit\n');
    assert.equal(await within(session.exited, 'the console to exit'), 0);
    assert.equal(await worker.health(), 200);
  });

  test('and the first SIGTERM stops the worker with exit code 0', async () => {
    assert.equal(await worker.terminate(), 0, `exit code after one SIGTERM (stderr: ${worker.stderr()})`);
    assert.ok(worker.lines.some((line) => line.msg === 'worker stopped'));
    const text = worker.stderr() + JSON.stringify(worker.lines);
    assert.ok(!text.includes('is not a function'), 'pg-boss kept a working process object');
  });
});
