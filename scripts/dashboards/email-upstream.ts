import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { timeseries, window } from './panels.ts';

/** Email by type, provider and outcome; every upstream's traffic, latency and errors. */
export function emailUpstreamDashboard(): DashboardBuilder {
  return new DashboardBuilder('TradeMachine Worker / Email and upstreams')
    .uid('tm-worker-email-upstream')
    .tags(['trademachine', 'worker', 'email'])
    .refresh('30s')
    .time({ from: 'now-24h', to: 'now' })
    .withRow(new RowBuilder('Email').id(100))
    .withPanel(
      timeseries({
        id: 1,
        title: 'Emails by type and outcome',
        description: 'Send attempts in each interval: sent (the provider accepted) or failed.',
        unit: 'short',
        queries: [{ expr: `sum by (type, outcome) (increase(worker_emails_total[${window}]))`, legend: '{{type}} {{outcome}}' }],
      }),
    )
    .withPanel(
      timeseries({
        id: 2,
        title: 'Email failure ratio by provider',
        description: 'Share of send attempts the provider refused or did not answer.',
        unit: 'percentunit',
        queries: [
          {
            expr: `sum by (provider) (rate(worker_emails_total{outcome="failed"}[${window}])) / sum by (provider) (rate(worker_emails_total[${window}]))`,
            legend: '{{provider}}',
          },
        ],
      }),
    )
    .withRow(new RowBuilder('Upstream HTTP').id(101))
    .withPanel(
      timeseries({
        id: 3,
        title: 'Upstream requests by service and status',
        description: 'Requests per second to ESPN, Brevo, Mailgun (and anything else) by status class; error means no answer.',
        unit: 'ops',
        queries: [
          {
            expr: `sum by (service, status_class) (rate(worker_upstream_request_duration_count[${window}]))`,
            legend: '{{service}} {{status_class}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        id: 4,
        title: 'Upstream latency (p50, p95)',
        description: 'Time to the response headers, per service.',
        unit: 's',
        queries: [
          {
            expr: `histogram_quantile(0.5, sum by (service, le) (rate(worker_upstream_request_duration_bucket[${window}])))`,
            legend: '{{service}} p50',
          },
          {
            expr: `histogram_quantile(0.95, sum by (service, le) (rate(worker_upstream_request_duration_bucket[${window}])))`,
            legend: '{{service}} p95',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        id: 5,
        title: 'Upstream error ratio',
        description: 'Share of requests per service answered 5xx or not at all.',
        unit: 'percentunit',
        width: 24,
        queries: [
          {
            expr: `sum by (service) (rate(worker_upstream_request_duration_count{status_class=~"5xx|error"}[${window}])) / sum by (service) (rate(worker_upstream_request_duration_count[${window}]))`,
            legend: '{{service}}',
          },
        ],
      }),
    );
}
