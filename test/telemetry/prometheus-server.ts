/**
 * A real Prometheus (the Debian package's binary) scraping one target on loopback, with a temporary
 * config and storage: for evaluating dashboard queries against what the worker really exports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { access, constants, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findFreePort } from '../support/free-port.ts';

/** The absolute path of an executable on PATH, or undefined. */
export async function findExecutable(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface RunningPrometheus {
  readonly url: string;
  /** Output so far, for failure messages. */
  output(): string;
  /** GET a Prometheus HTTP API path; returns its `data`, or throws with Prometheus's error. */
  api<T>(apiPath: string, params?: Record<string, string>): Promise<T>;
  stop(): Promise<void>;
}

/** Starts Prometheus scraping `target` (host:port) every second and waits until it is ready. */
export async function startPrometheus(binary: string, target: string, options: { jobName: string }): Promise<RunningPrometheus> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tm-prometheus-'));
  const port = await findFreePort();
  const configFile = path.join(dir, 'prometheus.yml');
  await writeFile(
    configFile,
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      `  - job_name: ${options.jobName}`,
      '    metrics_path: /metrics',
      '    static_configs:',
      `      - targets: ["${target}"]`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(
    binary,
    [`--config.file=${configFile}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited with ${child.exitCode}: ${output}`);
    }
    const ready = await fetch(`${url}/-/ready`).then((response) => response.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus was not ready within 20 s: ${output}`);
    }
    await sleep(200);
  }

  return {
    url,
    output: () => output,
    api: async <T>(apiPath: string, params: Record<string, string> = {}) => {
      const response = await fetch(`${url}${apiPath}?${new URLSearchParams(params)}`);
      const body = (await response.json()) as { status: string; data?: T; error?: string; errorType?: string };
      if (body.status !== 'success') throw new Error(`${body.errorType ?? response.status}: ${body.error ?? 'no error message'}`);
      return body.data as T;
    },
    stop,
  };
}

/** The metric names a PromQL expression selects (functions, keywords, labels and literals left out). */
export function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/(^|[^a-zA-Z0-9_:])\d+(\.\d+)?(e[+-]?\d+)?/gi, '$1 ');
  const keywords = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
  const names = new Set<string>();
  for (const match of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*(?=\s*(\(?))/g)) {
    const name = match[0];
    if (match[1] === '(' || keywords.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}
