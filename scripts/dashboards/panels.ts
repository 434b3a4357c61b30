/**
 * The pieces every dashboard is built from: the provisioned Prometheus datasource, PromQL targets,
 * and time-series and stat panels with ids, units and legends, so the dashboards look alike.
 */
import { VizLegendOptionsBuilder, LegendDisplayMode, LegendPlacement, ReduceDataOptionsBuilder, BigValueTextMode } from '@grafana/grafana-foundation-sdk/common';
import type { ValueMapping } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

/** The datasource uid that infra/grafana/provisioning/datasources/prometheus.yml provisions. */
export const datasource = { type: 'prometheus', uid: 'prometheus' } as const;

/** One PromQL query of a panel and the legend of its series. */
export interface Query {
  readonly expr: string;
  readonly legend: string;
}

export interface PanelSpec {
  readonly id: number;
  readonly title: string;
  readonly description: string;
  /** Grafana unit id: `s`, `ops`, `short`, `bytes`, `percentunit`, `dateTimeAsIso`. */
  readonly unit: string;
  readonly queries: readonly Query[];
  /** Width in grid columns (of 24). Default: 12. */
  readonly width?: number;
  /** Values shown as text (stat panels), e.g. a status code. */
  readonly mappings?: ValueMapping[];
}

function targets(queries: readonly Query[]): DataqueryBuilder[] {
  return queries.map((query, index) =>
    new DataqueryBuilder()
      .expr(query.expr)
      .legendFormat(query.legend)
      .refId(String.fromCharCode(65 + index))
      .datasource(datasource),
  );
}

/** A time series with its legend at the bottom, listing the last and max values. */
export function timeseries(spec: PanelSpec): TimeseriesPanelBuilder {
  return new TimeseriesPanelBuilder()
    .id(spec.id)
    .title(spec.title)
    .description(spec.description)
    .datasource(datasource)
    .unit(spec.unit)
    .span(spec.width ?? 12)
    .height(8)
    .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.Table).placement(LegendPlacement.Bottom).calcs(['lastNotNull', 'max']))
    .targets(targets(spec.queries));
}

/** One number per series (the last value), named by its legend. */
export function stat(spec: PanelSpec): StatPanelBuilder {
  const panel = new StatPanelBuilder()
    .id(spec.id)
    .title(spec.title)
    .description(spec.description)
    .datasource(datasource)
    .unit(spec.unit)
    .span(spec.width ?? 6)
    .height(8)
    .textMode(BigValueTextMode.ValueAndName)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']))
    .targets(targets(spec.queries));
  return spec.mappings ? panel.mappings(spec.mappings) : panel;
}

/** `rate()` window: Grafana's own, at least four scrape intervals. */
export const window = '$__rate_interval';
