import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { timeseries, window } from './panels.ts';

/** Email by type, provider and outcome, delivery events, Discord messages and rate limits, skipped notifications; every upstream's traffic, latency and errors. */
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
    .withPanel(
      timeseries({
        id: 6,
        title: 'Delivery events by provider and outcome',
        description: 'Provider delivery events (email.status) in each interval: inserted (an id the worker never sent), updated (the status moved forward), ignored_older (a late event), ignored_final (after a bounce, block or complaint).',
        unit: 'short',
        queries: [{ expr: `sum by (provider, outcome) (increase(worker_email_status_events_total[${window}]))`, legend: '{{provider}} {{outcome}}' }],
      }),
    )
    .withPanel(
      timeseries({
        id: 7,
        title: 'Notifications not sent, by channel and reason',
        description: "Trade DMs and trade emails the recipient's settings or Discord id ruled out (completed, not retried).",
        unit: 'short',
        queries: [{ expr: `sum by (channel, reason) (increase(worker_notifications_skipped_total[${window}]))`, legend: '{{channel}} {{reason}}' }],
      }),
    )
    .withRow(new RowBuilder('Discord').id(102))
    .withPanel(
      timeseries({
        id: 8,
        title: 'Discord messages by kind and outcome',
        description: 'Announcements and trade DMs in each interval: sent, already_sent (a retry found it posted), skipped (settings), failed.',
        unit: 'short',
        queries: [{ expr: `sum by (kind, outcome) (increase(worker_discord_messages_total[${window}]))`, legend: '{{kind}} {{outcome}}' }],
      }),
    )
    .withPanel(
      timeseries({
        id: 9,
        title: 'Discord rate-limit waits',
        description: "How often the REST client waited for Discord's rate limits, per-route or global, and the p95 wait.",
        unit: 'short',
        queries: [
          { expr: `sum by (global) (increase(worker_discord_rate_limit_wait_count[${window}]))`, legend: 'waits (global={{global}})' },
          { expr: `histogram_quantile(0.95, sum by (le) (rate(worker_discord_rate_limit_wait_bucket[${window}])))`, legend: 'p95 wait (s)' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        id: 10,
        title: 'Slash commands by command and outcome',
        description: '/my-trades and /trade-history answers in each interval: replied, deferred (the database was slow), not_linked, no_team, unknown_command, failed.',
        unit: 'short',
        queries: [{ expr: `sum by (command, outcome) (increase(worker_discord_commands_total[${window}]))`, legend: '{{command}} {{outcome}}' }],
      }),
    )
    .withPanel(
      timeseries({
        id: 11,
        title: 'Discord Gateway: leader, connected, reconnects',
        description: 'Across worker processes: how many hold the leader lock and how many have a Gateway session (both should be 1), and reconnects in each interval.',
        unit: 'short',
        queries: [
          { expr: 'sum(worker_discord_gateway_leader)', legend: 'leaders' },
          { expr: 'sum(worker_discord_gateway_connected)', legend: 'connected' },
          { expr: `sum(increase(worker_discord_gateway_reconnects_total[${window}]))`, legend: 'reconnects' },
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
