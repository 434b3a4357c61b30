/**
 * Compares the live owner schema with what the contract relies on (and the types the contract's
 * columns had when it was snapshotted), yielding one finding per drifted object.
 */
import type { ColumnUse, OwnerContractShape } from '../owner-contract.ts';
import type { ExpectedColumn, ExpectedSchema } from './expected-schema.ts';
import type { LiveRelation, LiveSchema } from './live-schema.ts';
import type { SchemaFinding, Severity } from './report.ts';
import { judgeTypeChange, sameType, type Verdict } from './type-compatibility.ts';

const quote = (name: string): string => (/^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name}"`);
const SEVERITY: Readonly<Record<Verdict, Severity>> = { safe: 'info', warning: 'warning', breaking: 'breaking' };
const describeUses = (uses: readonly ColumnUse[]): string => {
  const words = { read: 'reads', filter: 'filters on', update: 'updates', insert: 'inserts' } as const;
  return uses.map((use) => words[use]).join(' and ');
};

function compareColumns(
  kind: 'table' | 'view',
  name: string,
  uses: Readonly<Record<string, readonly ColumnUse[] | undefined>>,
  expected: Readonly<Record<string, ExpectedColumn>>,
  live: LiveRelation,
  isEnum: (type: string) => boolean,
): SchemaFinding[] {
  const findings: SchemaFinding[] = [];
  for (const [column, columnUses = []] of Object.entries(uses)) {
    const object = `${name}.${quote(column)}`;
    const want = expected[column];
    const have = live.columns[column];
    const how = `the worker ${describeUses(columnUses)} it`;
    if (!want) continue; // only when the snapshot is stale, which its own test catches
    if (!have) {
      findings.push({ severity: 'breaking', object, kind: 'missing_column', expected: want.type, actual: null, message: `the column is gone; ${how}` });
      continue;
    }
    // `timestamp` and `timestamp(6)` are one type spelled two ways: no finding at all.
    if (!sameType(want.type, have.type, isEnum)) {
      const { verdict, why } = judgeTypeChange(want.type, have.type, columnUses, isEnum);
      findings.push({ severity: SEVERITY[verdict], object, kind: 'type_changed', expected: want.type, actual: have.type, message: `${why} (${how})` });
    }
    // A view's columns are always nullable in the catalog, whatever the query gives.
    if (kind === 'table' && have.nullable !== want.nullable) {
      const writes = columnUses.includes('insert') || columnUses.includes('update');
      if (have.nullable && columnUses.includes('read')) {
        findings.push({ severity: 'breaking', object, kind: 'nullability_changed', expected: 'NOT NULL', actual: 'NULL', message: `now nullable; the worker reads it as never null` });
      } else if (have.nullable) {
        findings.push({ severity: 'info', object, kind: 'nullability_changed', expected: 'NOT NULL', actual: 'NULL', message: `now nullable; ${how} but never reads it` });
      } else if (writes) {
        findings.push({ severity: 'breaking', object, kind: 'nullability_changed', expected: 'NULL', actual: 'NOT NULL', message: `now NOT NULL; ${how} and may write NULL (its type allows it)` });
      }
    }
  }
  return findings;
}

/** Columns an insert by the worker would leave NULL, which the database now refuses. */
function unfilledInsertColumns(name: string, uses: Readonly<Record<string, readonly ColumnUse[] | undefined>>, live: LiveRelation): SchemaFinding[] {
  const inserted = new Set(Object.entries(uses).filter(([, u]) => u?.includes('insert')).map(([column]) => column));
  if (inserted.size === 0) return [];
  return Object.entries(live.columns)
    .filter(([column, have]) => !have.nullable && !have.filledByDatabase && !inserted.has(column))
    .map(([column, have]) => ({
      severity: 'breaking',
      object: `${name}.${quote(column)}`,
      kind: 'not_null_without_default',
      expected: null,
      actual: `${have.type} NOT NULL, no default`,
      message: `the worker inserts into ${name} without this column, so every insert fails`,
    }));
}

function uniqueKeyFindings(name: string, keys: readonly (readonly string[])[], live: LiveRelation): SchemaFinding[] {
  const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((column) => b.includes(column));
  return keys
    .filter((key) => !live.uniqueKeys.some((liveKey) => sameSet(key, liveKey)))
    .map((key) => {
      const columns = key.map(quote).join(', ');
      return {
        severity: 'breaking',
        object: `${name}(${columns})`,
        kind: 'unique_key_missing',
        expected: `unique (${columns})`,
        actual: null,
        message: `no primary key or unique index on exactly (${columns}); the worker's ON CONFLICT (${columns}) fails`,
      };
    });
}

function enumFindings(contract: OwnerContractShape, expected: ExpectedSchema, live: LiveSchema): SchemaFinding[] {
  const findings: SchemaFinding[] = [];
  for (const [name, relied] of Object.entries(contract.enums)) {
    const known = expected.enums[name];
    if (!relied || !known) continue;
    const labels: readonly string[] = relied.labels;
    const have = live.enums[name];
    if (!have) {
      findings.push({ severity: 'breaking', object: name, kind: 'missing_enum', expected: known.join(', '), actual: null, message: `enum ${name} is gone; used by ${relied.usedBy}` });
      continue;
    }
    const removed = known.filter((label) => !have.includes(label));
    const added = have.filter((label) => !known.includes(label));
    // A label whose place in the order now holds a new label was renamed (ALTER TYPE … RENAME VALUE).
    const renamedTo = new Map<string, string>();
    for (const label of removed) {
      const replacement = have[known.indexOf(label)];
      if (replacement !== undefined && added.includes(replacement) && have.length === known.length) renamedTo.set(label, replacement);
    }
    const newLabel: Severity = relied.use === 'read' ? 'warning' : 'info';
    for (const label of removed) {
      const reliedOn = labels.includes(label);
      const to = renamedTo.get(label);
      const severity: Severity = reliedOn ? 'breaking' : to !== undefined ? newLabel : 'info';
      const consequence = reliedOn ? `the worker relies on it: ${relied.usedBy}` : 'the worker does not use it';
      findings.push(
        to === undefined
          ? { severity, object: name, kind: 'enum_label_removed', expected: label, actual: null, message: `label '${label}' removed; ${consequence}` }
          : { severity, object: name, kind: 'enum_label_renamed', expected: label, actual: to, message: `label '${label}' renamed to '${to}'; ${consequence}` },
      );
    }
    for (const label of added.filter((label) => ![...renamedTo.values()].includes(label))) {
      const consequence = relied.use === 'read' ? `the worker must handle it: ${relied.usedBy}` : `the worker only writes ${name} values`;
      findings.push({ severity: newLabel, object: name, kind: 'enum_label_added', expected: null, actual: label, message: `new label '${label}'; ${consequence}` });
    }
  }
  return findings;
}

/** Every difference between the live schema and what the contract relies on. */
export function compareOwnerSchema(contract: OwnerContractShape, expected: ExpectedSchema, live: LiveSchema): SchemaFinding[] {
  const isEnum = (type: string) => type in live.enums || type in expected.enums;
  const findings: SchemaFinding[] = [];
  for (const [name, table] of Object.entries(contract.tables)) {
    if (!table) continue;
    const uses: Readonly<Record<string, readonly ColumnUse[] | undefined>> = table.columns;
    const liveTable = live.tables[name];
    if (!liveTable) {
      const what = live.views[name] ? 'is now a view' : 'is gone';
      findings.push({ severity: 'breaking', object: name, kind: 'missing_table', expected: 'table', actual: live.views[name] ? 'view' : null, message: `table ${name} ${what}; the worker uses ${Object.keys(uses).length} of its columns` });
      continue;
    }
    findings.push(...compareColumns('table', name, uses, expected.tables[name] ?? {}, liveTable, isEnum));
    findings.push(...unfilledInsertColumns(name, uses, liveTable));
    findings.push(...uniqueKeyFindings(name, table.uniqueKeys ?? [], liveTable));
  }
  for (const [name, view] of Object.entries(contract.views)) {
    if (!view) continue;
    const uses: Readonly<Record<string, readonly ColumnUse[] | undefined>> = view.columns;
    const liveView = live.views[name] ?? live.tables[name];
    if (!liveView) {
      findings.push({ severity: 'breaking', object: name, kind: 'missing_view', expected: 'view', actual: null, message: `view ${name} is gone; the worker reads ${Object.keys(uses).length} of its columns` });
      continue;
    }
    findings.push(...compareColumns('view', name, uses, expected.views[name] ?? {}, liveView, isEnum));
  }
  findings.push(...enumFindings(contract, expected, live));
  return findings;
}
