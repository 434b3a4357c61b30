/**
 * The last schema-check result per target, kept here so the check can report it whenever it runs
 * (start-up, before or after telemetry) and /metrics shows it as `worker_schema_check_status`.
 */
const results = new Map<string, number>();

/** Records a schema-check result for a target: `schemaCheckStatusValue(report)`, 0 clean, 1 warnings, 2 breaking. */
export function setSchemaCheckResult(value: number, target = 'production'): void {
  results.set(target, value);
}

/** The recorded results, for the observable gauge (and tests). */
export function schemaCheckResults(): ReadonlyMap<string, number> {
  return results;
}
