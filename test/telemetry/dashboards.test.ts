/**
 * The Grafana dashboards are code (scripts/dashboards/): the committed JSON is what that code
 * generates, every panel has an id, a title, the provisioned Prometheus datasource and (time series)
 * a legend, and docker-compose.shared.yml provisions exactly these files with that datasource.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { buildDashboards, dashboardJson } from '../../scripts/dashboards/index.ts';

const root = path.join(import.meta.dirname, '../..');
const dashboardsDir = path.join(root, 'infra/grafana/dashboards');

interface Panel {
  readonly id?: number;
  readonly type?: string;
  readonly title?: string;
  readonly datasource?: { readonly uid?: string; readonly type?: string };
  readonly options?: { readonly legend?: { readonly showLegend?: boolean } };
  readonly targets?: readonly { readonly expr?: string; readonly refId?: string; readonly legendFormat?: string; readonly datasource?: { readonly uid?: string } }[];
}

test('the committed dashboard JSON is what scripts/dashboards generates (npm run dashboards)', async () => {
  const generated = buildDashboards();
  assert.deepEqual((await readdir(dashboardsDir)).filter((file) => file.endsWith('.json')).sort(), generated.map((entry) => entry.file).sort());
  for (const { file, dashboard } of generated) {
    assert.equal(await readFile(path.join(dashboardsDir, file), 'utf8'), dashboardJson(dashboard), `${file} is stale: run npm run dashboards`);
  }
});

test('every panel has an id, a title, the Prometheus datasource, queries with legends, and time series show their legend', () => {
  const dashboards = buildDashboards().map((entry) => entry.dashboard);
  assert.equal(new Set(dashboards.map((dashboard) => dashboard.uid)).size, dashboards.length, 'dashboard uids are unique');
  for (const dashboard of dashboards) {
    const panels = (dashboard.panels ?? []) as Panel[];
    const ids = panels.map((panel) => panel.id);
    assert.equal(new Set(ids).size, ids.length, `${dashboard.title}: panel ids are unique`);
    for (const panel of panels) {
      const where = `${dashboard.title} / ${panel.title ?? '(untitled)'}`;
      assert.ok(typeof panel.id === 'number' && panel.id > 0, `${where} has an id`);
      assert.ok(panel.title, `${where} has a title`);
      if (panel.type === 'row') continue;
      assert.deepEqual(panel.datasource, { type: 'prometheus', uid: 'prometheus' }, where);
      assert.ok((panel.targets ?? []).length > 0, `${where} has queries`);
      for (const target of panel.targets ?? []) {
        assert.ok(target.expr && target.refId && target.legendFormat, `${where}: query ${target.refId} has expr, refId and legend`);
        assert.equal(target.datasource?.uid, 'prometheus', where);
      }
      if (panel.type === 'timeseries') assert.equal(panel.options?.legend?.showLegend, true, `${where} shows its legend`);
    }
  }
});

test('docker-compose.shared.yml provisions these dashboards and the datasource their panels name', async () => {
  const compose = parse(await readFile(path.join(root, 'docker-compose.shared.yml'), 'utf8')) as {
    services: { grafana: { volumes: string[] } };
  };
  const provider = parse(await readFile(path.join(root, 'infra/grafana/provisioning/dashboards/dashboards.yml'), 'utf8')) as {
    providers: { options: { path: string } }[];
  };
  const datasources = parse(await readFile(path.join(root, 'infra/grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as {
    datasources: { uid: string; type: string }[];
  };
  const dashboardsPath = provider.providers[0]?.options.path;
  assert.ok(compose.services.grafana.volumes.some((volume) => volume.startsWith(`./infra/grafana/dashboards:${dashboardsPath}`)), 'the dashboards folder is mounted where the provider reads');
  assert.ok(compose.services.grafana.volumes.some((volume) => volume.startsWith('./infra/grafana/provisioning:/etc/grafana/provisioning')));
  assert.deepEqual(datasources.datasources.map((source) => [source.type, source.uid]), [['prometheus', 'prometheus']]);
});
