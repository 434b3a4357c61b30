/**
 * One real worker process (`node --disable-sigusr1 src/main.ts`), configured by environment like
 * an orchestrator would, with its output appended to a log file and a way to wait for /ready.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { findFreePort } from '../../test/support/free-port.ts';

export const repoRoot = path.resolve(import.meta.dirname, '../..');

export interface WorkerSettings {
  readonly databaseUrl: string;
  readonly mailboxDir: string;
  readonly shutdownTimeoutMs: number;
  /** pg-boss supervise/monitor pass (QUEUE_MONITOR_INTERVAL_SECONDS). */
  readonly monitorIntervalSeconds: number;
  /** Job heartbeat (QUEUE_HEARTBEAT_SECONDS): a killed worker's jobs are retried once it lapses. */
  readonly heartbeatSeconds: number;
  /** Every worker life's stdout/stderr is appended here. */
  readonly logFile: string;
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** performance.now() when it exited. */
  readonly at: number;
  /** Date.now() when it exited, to compare with the mailbox's wall-clock stamps. */
  readonly wallAt: number;
}

export interface WorkerProcess {
  /** 1 for the first life of the run, 2 for the next… */
  readonly life: number;
  readonly pid: number | undefined;
  readonly startedAt: number;
  /** Date.now() at the start, to compare with database timestamps (same machine, same clock). */
  readonly startedWall: number;
  readonly httpPort: number;
  /** Resolves when the process exits, however it ends. */
  readonly exited: Promise<ExitInfo>;
  readonly exit: ExitInfo | undefined;
  /** Error-level log entries (pino level ≥ 50): their messages. */
  readonly errorLines: readonly string[];
  /** What a crash printed: the first non-JSON stderr line naming an error (e.g. an unhandled 'error' event). */
  readonly crashLine: string | undefined;
  signal(signal: NodeJS.Signals): void;
  /** Polls /ready until it answers 200; throws when the process exits first or time runs out. */
  waitReady(timeoutMs: number): Promise<void>;
  /** Resolves with the exit, or undefined when it is still running after `timeoutMs`. */
  waitExit(timeoutMs: number): Promise<ExitInfo | undefined>;
}

let lives = 0;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Starts a worker process; it keeps running until signalled. */
export async function startWorkerProcess(settings: WorkerSettings): Promise<WorkerProcess> {
  const life = ++lives;
  const httpPort = await findFreePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    TZ: 'UTC',
    DEPLOY_ENV: 'development',
    DATABASE_URL: settings.databaseUrl,
    EMAIL_PROVIDER: 'dev-mailbox',
    DEV_MAILBOX_DIR: settings.mailboxDir,
    EMAIL_REDIRECT_ADDRESS: 'chaos-inbox@trademachine.local',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(httpPort),
    REPL_ENABLED: 'false',
    CRON_ENABLED: 'false',
    SHUTDOWN_TIMEOUT_MS: String(settings.shutdownTimeoutMs),
    QUEUE_MONITOR_INTERVAL_SECONDS: String(settings.monitorIntervalSeconds),
    QUEUE_HEARTBEAT_SECONDS: String(settings.heartbeatSeconds),
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
  };
  const startedAt = performance.now();
  const startedWall = Date.now();
  const child: ChildProcess = spawn(process.execPath, ['--disable-sigusr1', path.join(repoRoot, 'src/main.ts')], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  appendFileSync(settings.logFile, `--- worker life ${life} pid ${child.pid} at ${new Date().toISOString()}\n`);
  const errorLines: string[] = [];
  let crashLine: string | undefined;
  let unhandled = false;
  const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    const text = chunk.toString();
    appendFileSync(settings.logFile, text);
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const entry = JSON.parse(line) as { level?: unknown; msg?: unknown; err?: { message?: unknown } };
        if (typeof entry.level === 'number' && entry.level >= 50) errorLines.push(`${String(entry.msg)}${entry.err?.message ? `: ${String(entry.err.message)}` : ''}`);
      } catch {
        if (stream !== 'stderr' || crashLine !== undefined) continue;
        if (line.includes("Unhandled 'error' event")) unhandled = true;
        else if (/\b(\w*Error|error)\b:/.test(line)) crashLine = `${unhandled ? "unhandled 'error' event: " : ''}${line.trim().slice(0, 300)}`;
      }
    }
  };
  child.stdout?.on('data', collect('stdout'));
  child.stderr?.on('data', collect('stderr'));
  let exit: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal, at: performance.now(), wallAt: Date.now() };
      appendFileSync(settings.logFile, `--- worker life ${life} exited code ${code} signal ${signal}\n`);
      resolve(exit);
    });
  });

  return {
    life,
    pid: child.pid,
    startedAt,
    startedWall,
    httpPort,
    exited,
    get exit() {
      return exit;
    },
    errorLines,
    get crashLine() {
      return crashLine;
    },
    signal: (signal) => {
      if (exit === undefined) child.kill(signal);
    },
    waitExit: (timeoutMs) => Promise.race([exited, sleep(timeoutMs).then(() => exit)]),
    waitReady: async (timeoutMs) => {
      const deadline = performance.now() + timeoutMs;
      while (performance.now() < deadline) {
        if (exit) throw new Error(`worker life ${life} exited (code ${exit.code}, signal ${exit.signal}) before it was ready: ${crashLine ?? errorLines.slice(-3).join(' | ')}`);
        const ready = await fetch(`http://127.0.0.1:${httpPort}/ready`, { signal: AbortSignal.timeout(2_000) }).then(
          async (response) => {
            await response.arrayBuffer();
            return response.status === 200;
          },
          () => false,
        );
        if (ready) return;
        await sleep(100);
      }
      throw new Error(`worker life ${life} not ready within ${timeoutMs} ms: ${crashLine ?? errorLines.slice(-3).join(' | ')}`);
    },
  };
}
