/** The drift report: what the check found, object by object, and what that means for the worker. */

export type Severity = 'breaking' | 'warning' | 'info';

export type FindingKind =
  | 'missing_table'
  | 'missing_view'
  | 'missing_column'
  | 'type_changed'
  | 'nullability_changed'
  | 'missing_enum'
  | 'enum_label_removed'
  | 'enum_label_renamed'
  | 'enum_label_added'
  | 'unique_key_missing'
  | 'not_null_without_default'
  | 'queue_schema_missing'
  | 'queue_schema_version';

export interface SchemaFinding {
  readonly severity: Severity;
  /** `team.name`, `hydrated_trades`, `SyncJobStatus`, `email("messageId")`, `pgboss.version`. */
  readonly object: string;
  readonly kind: FindingKind;
  readonly expected: string | null;
  readonly actual: string | null;
  /** One sentence on what changed and what it does to the worker. */
  readonly message: string;
}

/** clean: nothing, or only info; warnings: the worker runs but should be looked at; breaking: it would fail. */
export type SchemaCheckStatus = 'clean' | 'warnings' | 'breaking';

export interface SchemaCheckReport {
  readonly status: SchemaCheckStatus;
  readonly ownerSchema: string;
  /** The pg-boss schema checked too, or null when the queue was not checked. */
  readonly queueSchema: string | null;
  /** Breaking first, then warnings, then info; by object within each. */
  readonly findings: readonly SchemaFinding[];
}

const RANK: Readonly<Record<Severity, number>> = { breaking: 0, warning: 1, info: 2 };

/** Orders the findings and derives the status from the worst of them. */
export function buildReport(ownerSchema: string, queueSchema: string | null, findings: readonly SchemaFinding[]): SchemaCheckReport {
  const sorted = [...findings].sort((a, b) => RANK[a.severity] - RANK[b.severity] || a.object.localeCompare(b.object) || a.kind.localeCompare(b.kind));
  const status: SchemaCheckStatus = sorted.some((f) => f.severity === 'breaking') ? 'breaking' : sorted.some((f) => f.severity === 'warning') ? 'warnings' : 'clean';
  return { status, ownerSchema, queueSchema, findings: sorted };
}

/** The gauge value for a status: 0 clean, 1 warnings, 2 breaking. */
export function schemaCheckStatusValue(report: Pick<SchemaCheckReport, 'status'>): 0 | 1 | 2 {
  return report.status === 'clean' ? 0 : report.status === 'warnings' ? 1 : 2;
}
