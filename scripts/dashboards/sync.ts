import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { stat, timeseries, window } from './panels.ts';

/** Sync jobs are the ones whose name ends in "sync": espn.team-sync, espn.players-sync, sheets.minors-sync, sheets.draft-picks-sync. */
const syncs = 'job_name=~".*sync"';

/** The syncs: runs, records changed, durations, and how long ago each last succeeded. */
export function syncDashboard(): DashboardBuilder {
  return new DashboardBuilder('TradeMachine Worker / Syncs')
    .uid('tm-worker-syncs')
    .tags(['trademachine', 'worker', 'sync'])
    .refresh('1m')
    .time({ from: 'now-7d', to: 'now' })
    .withRow(new RowBuilder('Runs').id(100))
    .withPanel(
      stat({
        id: 1,
        title: 'Since the last successful run',
        description: 'Age of the last completed attempt of each sync, across worker processes (since they started).',
        unit: 's',
        width: 8,
        queries: [{ expr: `time() - max by (job_name) (worker_job_last_success_timestamp{${syncs}})`, legend: '{{job_name}}' }],
      }),
    )
    .withPanel(
      timeseries({
        id: 2,
        title: 'Sync runs by outcome',
        description: 'Sync attempts in each interval, by outcome.',
        unit: 'short',
        width: 16,
        queries: [{ expr: `sum by (job_name, outcome) (increase(worker_job_runs_total{${syncs}}[${window}]))`, legend: '{{job_name}} {{outcome}}' }],
      }),
    )
    .withRow(new RowBuilder('Records and durations').id(101))
    .withPanel(
      timeseries({
        id: 3,
        title: 'Records by action',
        description: "Owner rows each sync inserted, updated, skipped (no match) or cleared, in each interval.",
        unit: 'short',
        queries: [{ expr: `sum by (job_name, action) (increase(worker_sync_records_total[${window}]))`, legend: '{{job_name}} {{action}}' }],
      }),
    )
    .withPanel(
      timeseries({
        id: 4,
        title: 'Sync duration (p50, p95) of completed runs',
        description: 'How long a successful sync takes, per job.',
        unit: 's',
        queries: [
          {
            expr: `histogram_quantile(0.5, sum by (job_name, le) (rate(worker_job_duration_bucket{${syncs}, outcome="completed"}[${window}])))`,
            legend: '{{job_name}} p50',
          },
          {
            expr: `histogram_quantile(0.95, sum by (job_name, le) (rate(worker_job_duration_bucket{${syncs}, outcome="completed"}[${window}])))`,
            legend: '{{job_name}} p95',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        id: 6,
        title: 'ESPN players: where ESPN and the league disagree',
        description:
          "From the last players sync of each target: majors whose owner differs from ESPN's roster (with ESPN_SYNC_OWNERSHIP off they stay so), ESPN players left out as ambiguous, ESPN ids on several rows, updates skipped for a conflict, and rows ESPN no longer lists.",
        unit: 'short',
        width: 24,
        queries: [{ expr: 'max by (target, kind) (worker_espn_players_discrepancies)', legend: '{{target}} {{kind}}' }],
      }),
    )
    .withPanel(
      timeseries({
        id: 5,
        title: 'ESPN requests by status',
        description: 'Requests to ESPN per second by status class (error: no answer at all).',
        unit: 'ops',
        width: 24,
        queries: [
          { expr: `sum by (status_class) (rate(worker_upstream_request_duration_count{service="espn"}[${window}]))`, legend: '{{status_class}}' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        id: 7,
        title: 'Google Sheets requests by status',
        description: "Requests for the minors and draft-picks sheets' CSV exports per second by status class, redirect hops included (error: no answer at all).",
        unit: 'ops',
        width: 24,
        queries: [
          { expr: `sum by (status_class) (rate(worker_upstream_request_duration_count{service="google-sheets"}[${window}]))`, legend: '{{status_class}}' },
        ],
      }),
    );
}
