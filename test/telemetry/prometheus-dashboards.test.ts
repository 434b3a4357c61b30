/**
 * Dashboards and metrics cannot drift apart: a real Prometheus scrapes a running worker that has
 * run every job, every panel query of every committed dashboard is evaluated through Prometheus's
 * HTTP API and must be valid, name only metrics the worker exports, and return data; and
 * `promtool check metrics` accepts a real scrape.
 *
 * Needs the Debian `prometheus` package (prometheus and promtool). CI installs it; with CI=true a
 * missing binary fails the test, elsewhere the test is skipped with the reason.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runEveryJob, startMeteredWorker, type MeteredWorker } from './metered-worker.ts';
import { findExecutable, metricNamesIn, startPrometheus, type RunningPrometheus } from './prometheus-server.ts';

const dashboardsDir = path.join(import.meta.dirname, '../../infra/grafana/dashboards');
const JOB_NAME = 'trademachine-worker';

interface PanelQuery {
  readonly dashboard: string;
  readonly panel: string;
  readonly expr: string;
}

/** Every target of every panel (rows included) in the committed dashboard JSON, as Grafana loads it. */
async function panelQueries(): Promise<PanelQuery[]> {
  const queries: PanelQuery[] = [];
  for (const file of (await readdir(dashboardsDir)).filter((name) => name.endsWith('.json')).sort()) {
    const dashboard = JSON.parse(await readFile(path.join(dashboardsDir, file), 'utf8')) as { panels?: Panel[] };
    const walk = (panels: readonly Panel[]) => {
      for (const panel of panels) {
        for (const target of panel.targets ?? []) if (target.expr) queries.push({ dashboard: file, panel: `${panel.id} ${panel.title}`, expr: target.expr });
        walk(panel.panels ?? []);
      }
    };
    walk(dashboard.panels ?? []);
  }
  return queries;
}
interface Panel {
  readonly id?: number;
  readonly title?: string;
  readonly targets?: readonly { readonly expr?: string }[];
  readonly panels?: readonly Panel[];
}

/** Grafana's built-in interval variables, as Grafana would fill them in for a short range. */
function asPrometheusQuery(expr: string): string {
  return expr.replace(/\$__rate_interval|\$__interval|\$__range/g, '1m');
}

/** Runs `promtool check metrics` on a scrape; resolves with its exit code and output. */
async function promtoolCheckMetrics(promtool: string, scrape: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(promtool, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stdin.end(scrape);
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

const binaries = { prometheus: await findExecutable('prometheus'), promtool: await findExecutable('promtool') };
const missing = Object.entries(binaries)
  .filter(([, found]) => !found)
  .map(([name]) => name);
const missingReason = `${missing.join(' and ')} not on PATH: install the Debian package (apt-get install -y prometheus)`;

if (missing.length > 0) {
  // CI installs the package (.ci/run), so there a missing binary is a failure, never a silent skip.
  if (process.env.CI === 'true') test('prometheus and promtool are installed', () => assert.fail(`CI=true and ${missingReason}`));
  else test('dashboards against a real Prometheus', { skip: missingReason }, () => {});
} else {
  describe('dashboards against a real Prometheus scraping the worker', { timeout: 120_000 }, () => {
    let metered: MeteredWorker;
    let prometheus: RunningPrometheus | undefined;

    before(async () => {
      metered = await startMeteredWorker();
      await runEveryJob(metered);
      const target = new URL(metered.worker.http.url).host;
      prometheus = await startPrometheus(binaries.prometheus ?? '', target, { jobName: JOB_NAME });
      // Three scrapes at least, so rate() over the window has samples to work with.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const result = await prometheus.api<{ result: { value: [number, string] }[] }>('/api/v1/query', {
          query: `count_over_time(up{job="${JOB_NAME}"}[1m])`,
        });
        if (Number(result.result[0]?.value[1] ?? 0) >= 3) break;
        if (Date.now() > deadline) assert.fail(`Prometheus did not scrape the worker 3 times in 30 s: ${prometheus.output()}`);
        await sleep(500);
      }
      const up = await prometheus.api<{ result: { value: [number, string] }[] }>('/api/v1/query', { query: `up{job="${JOB_NAME}"}` });
      assert.equal(up.result[0]?.value[1], '1', 'the worker is up for Prometheus');
    });
    after(async () => {
      await prometheus?.stop();
      await metered?.stop();
    });

    test('promtool check metrics accepts a real scrape', async () => {
      const { code, output } = await promtoolCheckMetrics(binaries.promtool ?? '', await metered.scrape());
      assert.equal(code, 0, `promtool check metrics:\n${output}`);
    });

    test("no worker label clashes with a label Prometheus sets itself (it would be renamed exported_…)", async () => {
      assert.ok(prometheus);
      const series = await prometheus.api<Record<string, string>[]>('/api/v1/series', { 'match[]': `{job="${JOB_NAME}"}` });
      assert.ok(series.length > 100, `${series.length} series scraped`);
      const clashes = new Set(series.flatMap((labels) => Object.keys(labels).filter((name) => name.startsWith('exported_'))).map(String));
      assert.deepEqual([...clashes], []);
    });

    test('every panel query is valid, names only exported metrics, and returns data', async () => {
      assert.ok(prometheus);
      const exported = new Set(await prometheus.api<string[]>('/api/v1/label/__name__/values'));
      const queries = await panelQueries();
      assert.ok(queries.length >= 20, `found ${queries.length} panel queries`);
      const problems: string[] = [];
      const panelsWithData = new Set<string>();
      const panels = new Set<string>();
      for (const query of queries) {
        const where = `${query.dashboard} panel ${query.panel}: ${query.expr}`;
        panels.add(`${query.dashboard} ${query.panel}`);
        const unknown = metricNamesIn(query.expr).filter((name) => !exported.has(name));
        if (unknown.length > 0) problems.push(`${where}\n  names metrics the worker does not export: ${unknown.join(', ')}`);
        try {
          const data = await prometheus.api<{ result: unknown[] }>('/api/v1/query', { query: asPrometheusQuery(query.expr) });
          if (data.result.length > 0) panelsWithData.add(`${query.dashboard} ${query.panel}`);
        } catch (error) {
          problems.push(`${where}\n  ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      for (const panel of panels) if (!panelsWithData.has(panel)) problems.push(`${panel}: no query returned data after every job ran`);
      assert.deepEqual(problems, []);
    });
  });
}
