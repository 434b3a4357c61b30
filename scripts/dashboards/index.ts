/** Every dashboard kept as code, with the file under infra/grafana/dashboards/ it is generated into. */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { emailUpstreamDashboard } from './email-upstream.ts';
import { overviewDashboard } from './overview.ts';
import { runtimeDatabaseDashboard } from './runtime-database.ts';
import { syncDashboard } from './sync.ts';

export interface GeneratedDashboard {
  readonly file: string;
  readonly dashboard: Dashboard;
}

export function buildDashboards(): GeneratedDashboard[] {
  return [
    { file: 'overview.json', dashboard: overviewDashboard().build() },
    { file: 'syncs.json', dashboard: syncDashboard().build() },
    { file: 'email-upstream.json', dashboard: emailUpstreamDashboard().build() },
    { file: 'runtime-database.json', dashboard: runtimeDatabaseDashboard().build() },
  ];
}

/** The JSON as committed: two-space indent and a final newline, so diffs stay readable. */
export function dashboardJson(dashboard: Dashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}
