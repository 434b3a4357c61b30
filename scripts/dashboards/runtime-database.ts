import { DashboardBuilder, MappingType, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { stat, timeseries, window } from './panels.ts';

/** The process and its databases: build, schema check, pools, event loop, heap and GC. */
export function runtimeDatabaseDashboard(): DashboardBuilder {
  return new DashboardBuilder('TradeMachine Worker / Runtime and database')
    .uid('tm-worker-runtime')
    .tags(['trademachine', 'worker', 'runtime'])
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .withRow(new RowBuilder('Build and schema').id(100))
    .withPanel(
      stat({
        id: 1,
        title: 'Running builds',
        description: 'Worker processes per version and commit.',
        unit: 'short',
        width: 12,
        queries: [{ expr: 'sum by (version, commit) (worker_build_info)', legend: '{{version}} {{commit}}' }],
      }),
    )
    .withPanel(
      stat({
        id: 2,
        title: 'Schema check',
        description: "The start-up schema check's result per target, worst across processes: 0 clean, 1 warnings (additive drift), 2 breaking.",
        unit: 'short',
        width: 12,
        mappings: [
          {
            type: MappingType.ValueToText,
            options: {
              '0': { text: 'clean', color: 'green', index: 0 },
              '1': { text: 'warnings', color: 'orange', index: 1 },
              '2': { text: 'breaking', color: 'red', index: 2 },
            },
          },
        ],
        queries: [{ expr: 'max by (target) (worker_schema_check_status)', legend: '{{target}}' }],
      }),
    )
    .withRow(new RowBuilder('Database pools').id(101))
    .withPanel(
      timeseries({
        id: 3,
        title: 'Connections in use and idle',
        description: "Per pool: each owner database target and pg-boss's own (queue).",
        unit: 'short',
        queries: [
          { expr: 'sum by (pool, state) (worker_db_pool_connections)', legend: '{{pool}} {{state}}' },
          { expr: 'sum by (pool) (worker_db_pool_max)', legend: '{{pool}} max' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        id: 4,
        title: 'Queries waiting for a connection',
        description: 'Above zero for long: the pool is too small for the load.',
        unit: 'short',
        queries: [{ expr: 'sum by (pool) (worker_db_pool_waiting)', legend: '{{pool}}' }],
      }),
    )
    .withRow(new RowBuilder('Node.js runtime').id(102))
    .withPanel(
      timeseries({
        id: 5,
        title: 'Event-loop delay (p50, p99, max)',
        description: 'How late timers fire: high values mean the loop is blocked by synchronous work.',
        unit: 's',
        queries: [
          { expr: 'max(nodejs_eventloop_delay_p50)', legend: 'p50' },
          { expr: 'max(nodejs_eventloop_delay_p99)', legend: 'p99' },
          { expr: 'max(nodejs_eventloop_delay_max)', legend: 'max' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        id: 6,
        title: 'Event-loop utilization',
        description: 'Share of time the loop was busy.',
        unit: 'percentunit',
        queries: [{ expr: 'max(nodejs_eventloop_utilization)', legend: 'utilization' }],
      }),
    )
    .withPanel(
      timeseries({
        id: 7,
        title: 'V8 heap',
        description: 'Heap used and allocated, summed over heap spaces.',
        unit: 'bytes',
        queries: [
          { expr: 'sum(v8js_memory_heap_used)', legend: 'used' },
          { expr: 'sum(v8js_memory_heap_space_size)', legend: 'allocated' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        id: 8,
        title: 'Time in garbage collection',
        description: 'Seconds of GC per second, by kind.',
        unit: 'percentunit',
        queries: [{ expr: `sum by (v8js_gc_type) (rate(v8js_gc_duration_sum[${window}]))`, legend: '{{v8js_gc_type}}' }],
      }),
    );
}
