import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { stat, timeseries, window } from './panels.ts';

/** Every queue at a glance: throughput, failures, queue depth and latency percentiles per queue. */
export function overviewDashboard(): DashboardBuilder {
  return new DashboardBuilder('TradeMachine Worker / Overview')
    .uid('tm-worker-overview')
    .tags(['trademachine', 'worker'])
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .withRow(new RowBuilder('Throughput and failures').id(100))
    .withPanel(
      timeseries({
        id: 1,
        title: 'Job attempts by outcome',
        description: 'Attempts per second, per job and outcome (completed, retried, dead_lettered, cancelled, snoozed, failed).',
        unit: 'ops',
        queries: [{ expr: `sum by (job_name, outcome) (rate(worker_job_runs_total[${window}]))`, legend: '{{job_name}} {{outcome}}' }],
      }),
    )
    .withPanel(
      timeseries({
        id: 2,
        title: 'Failed attempts',
        description: 'Attempts that did not complete: retried by the queue, dead-lettered, cancelled from outside, or failed inline.',
        unit: 'ops',
        queries: [
          {
            expr: `sum by (job_name, outcome) (rate(worker_job_runs_total{outcome=~"retried|dead_lettered|cancelled|failed"}[${window}]))`,
            legend: '{{job_name}} {{outcome}}',
          },
        ],
      }),
    )
    .withPanel(
      stat({
        id: 3,
        title: 'Dead letters kept',
        description: 'Jobs in each dead-letter queue, waiting to be inspected or redriven (kept 30 days).',
        unit: 'short',
        width: 8,
        queries: [
          {
            expr: `sum by (messaging_destination_name) (pgboss_queue_jobs{messaging_destination_name=~".*[.]dead", pgboss_job_state=~"ready|deferred"})`,
            legend: '{{messaging_destination_name}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        id: 4,
        title: 'Messages sent and consumed',
        description: "pg-boss's own counters: jobs sent to each queue and jobs workers took from it.",
        unit: 'ops',
        width: 16,
        queries: [
          { expr: `sum by (messaging_destination_name) (rate(messaging_client_sent_messages_total[${window}]))`, legend: 'sent {{messaging_destination_name}}' },
          {
            expr: `sum by (messaging_destination_name) (rate(messaging_client_consumed_messages_total[${window}]))`,
            legend: 'consumed {{messaging_destination_name}}',
          },
        ],
      }),
    )
    .withRow(new RowBuilder('Queues').id(101))
    .withPanel(
      timeseries({
        id: 5,
        title: 'Queue depth by state',
        description: "Jobs per queue and state, from pg-boss's queue cache (ready, deferred, blocked, active, failed).",
        unit: 'short',
        queries: [
          {
            expr: `sum by (messaging_destination_name, pgboss_job_state) (pgboss_queue_jobs{messaging_destination_name!~".*[.]dead"})`,
            legend: '{{messaging_destination_name}} {{pgboss_job_state}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        id: 6,
        title: 'Time waiting in the queue (p50, p95)',
        description: 'From when a job became due (created, or its retry delay passed) to when a worker started it.',
        unit: 's',
        queries: [
          { expr: `histogram_quantile(0.5, sum by (job_name, le) (rate(worker_job_wait_bucket[${window}])))`, legend: '{{job_name}} p50' },
          { expr: `histogram_quantile(0.95, sum by (job_name, le) (rate(worker_job_wait_bucket[${window}])))`, legend: '{{job_name}} p95' },
        ],
      }),
    )
    .withRow(new RowBuilder('Latency').id(102))
    .withPanel(
      timeseries({
        id: 7,
        title: 'Job duration per queue (p50, p95, p99)',
        description: 'Attempt duration of every outcome, per job.',
        unit: 's',
        queries: [
          { expr: `histogram_quantile(0.5, sum by (job_name, le) (rate(worker_job_duration_bucket[${window}])))`, legend: '{{job_name}} p50' },
          { expr: `histogram_quantile(0.95, sum by (job_name, le) (rate(worker_job_duration_bucket[${window}])))`, legend: '{{job_name}} p95' },
          { expr: `histogram_quantile(0.99, sum by (job_name, le) (rate(worker_job_duration_bucket[${window}])))`, legend: '{{job_name}} p99' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        id: 8,
        title: 'Queue operation duration (p95)',
        description: "pg-boss's time for each operation against its tables (send, fetch, complete, fail), per queue.",
        unit: 's',
        queries: [
          {
            expr: `histogram_quantile(0.95, sum by (messaging_operation_name, le) (rate(messaging_client_operation_duration_bucket[${window}])))`,
            legend: '{{messaging_operation_name}}',
          },
          {
            expr: `histogram_quantile(0.95, sum by (messaging_destination_name, le) (rate(messaging_process_duration_bucket[${window}])))`,
            legend: 'process {{messaging_destination_name}}',
          },
        ],
      }),
    );
}
