/**
 * Which column type changes the worker survives. A change is judged per use (see ColumnUse): a
 * value the worker reads into JavaScript, one it only names in SQL, and one it writes can each be
 * hurt differently by the same change. A change no rule lists is breaking: an unknown change is
 * reviewed by a person before the worker runs on it.
 */
import type { ColumnUse } from '../owner-contract.ts';

/** safe: reported for information; warning: works, but something may differ; breaking: fails or corrupts. */
export type Verdict = 'safe' | 'warning' | 'breaking';

export interface TypeChangeRule {
  /** Base type names (no length or precision); `enum` stands for any enum type. */
  readonly from: string;
  readonly to: string;
  /** The value reaches the worker's code (select). */
  readonly read: Verdict;
  /** Only named in the worker's SQL: where, on conflict, expressions. */
  readonly filter: Verdict;
  /** The worker inserts or updates it. */
  readonly write: Verdict;
  readonly why: string;
}

const VARCHAR = 'character varying';
const TIMESTAMP = 'timestamp without time zone';
const TIMESTAMPTZ = 'timestamp with time zone';

export const typeChangeRules: readonly TypeChangeRule[] = [
  { from: VARCHAR, to: 'text', read: 'safe', filter: 'safe', write: 'safe', why: 'both are strings without a length limit' },
  { from: 'text', to: VARCHAR, read: 'safe', filter: 'safe', write: 'safe', why: 'both are strings; a length limit is judged separately' },
  { from: 'character', to: VARCHAR, read: 'warning', filter: 'warning', write: 'safe', why: 'values lose their blank padding' },
  { from: 'character', to: 'text', read: 'warning', filter: 'warning', write: 'safe', why: 'values lose their blank padding' },
  { from: 'smallint', to: 'integer', read: 'safe', filter: 'safe', write: 'safe', why: 'a wider integer, still parsed as a number' },
  // pg parses int8 as a string (it may not fit a JS number) and the generated type becomes string.
  { from: 'integer', to: 'bigint', read: 'breaking', filter: 'safe', write: 'safe', why: 'pg returns bigint values as strings, not numbers' },
  { from: 'smallint', to: 'bigint', read: 'breaking', filter: 'safe', write: 'safe', why: 'pg returns bigint values as strings, not numbers' },
  { from: 'bigint', to: 'integer', read: 'breaking', filter: 'warning', write: 'breaking', why: 'values beyond 2^31 no longer fit, and reads become numbers' },
  { from: 'integer', to: 'numeric', read: 'breaking', filter: 'safe', write: 'safe', why: 'pg returns numeric values as strings, not numbers' },
  { from: 'real', to: 'double precision', read: 'safe', filter: 'safe', write: 'safe', why: 'a wider float, still parsed as a number' },
  { from: 'numeric', to: 'double precision', read: 'breaking', filter: 'warning', write: 'warning', why: 'reads become numbers instead of strings, and precision is lost' },
  { from: 'json', to: 'jsonb', read: 'safe', filter: 'safe', write: 'safe', why: 'jsonb drops whitespace, key order and duplicate keys; the worker parses values, so it sees the same data' },
  // sync-executions.ts merges metadata with `coalesce("metadata", '{}'::jsonb) || …`, which json lacks.
  { from: 'jsonb', to: 'json', read: 'safe', filter: 'breaking', write: 'safe', why: 'jsonb operators and functions in the worker\'s SQL (||, jsonb casts) do not apply to json' },
  // The owner and the worker agree that zone-less timestamps hold UTC; a zone changes what a value means.
  { from: TIMESTAMP, to: TIMESTAMPTZ, read: 'breaking', filter: 'breaking', write: 'breaking', why: 'the shared "timestamps are UTC without a zone" convention changes; existing rows are converted in the migration\'s time zone' },
  { from: TIMESTAMPTZ, to: TIMESTAMP, read: 'breaking', filter: 'breaking', write: 'breaking', why: 'values lose their zone; the worker reads zone-less timestamps as UTC' },
  { from: 'uuid', to: 'text', read: 'safe', filter: 'safe', write: 'safe', why: 'the worker handles ids as strings' },
  { from: 'uuid', to: VARCHAR, read: 'safe', filter: 'safe', write: 'safe', why: 'the worker handles ids as strings' },
  { from: 'text', to: 'uuid', read: 'safe', filter: 'warning', write: 'warning', why: 'a value that is not a UUID is now rejected' },
  { from: VARCHAR, to: 'uuid', read: 'safe', filter: 'warning', write: 'warning', why: 'a value that is not a UUID is now rejected' },
  { from: 'enum', to: 'text', read: 'warning', filter: 'safe', write: 'safe', why: 'any string can now appear where only the enum\'s labels could' },
  { from: 'enum', to: VARCHAR, read: 'warning', filter: 'safe', write: 'safe', why: 'any string can now appear where only the enum\'s labels could' },
  { from: 'text', to: 'enum', read: 'safe', filter: 'warning', write: 'warning', why: 'only the enum\'s labels are accepted now' },
  { from: VARCHAR, to: 'enum', read: 'safe', filter: 'warning', write: 'warning', why: 'only the enum\'s labels are accepted now' },
];

interface ParsedType {
  readonly base: string;
  /** `(40)`, `(10,2)`; null when unlimited. */
  readonly modifier: string | null;
  readonly array: boolean;
}

/** Splits `character varying(40)[]` into base, modifier and array-ness; enums become `enum`. */
export function parseType(type: string, isEnum: (name: string) => boolean): ParsedType {
  const array = type.endsWith('[]');
  const element = array ? type.slice(0, -2) : type;
  const match = /^(.*?)(\(\d+(?:,\d+)?\))?$/.exec(element);
  const base = match?.[1] ?? element;
  return { base: isEnum(base) ? 'enum' : base, modifier: match?.[2] ?? null, array };
}

const ORDER: Readonly<Record<Verdict, number>> = { safe: 0, warning: 1, breaking: 2 };
const worst = (verdicts: readonly Verdict[]): Verdict => verdicts.reduce<Verdict>((a, b) => (ORDER[b] > ORDER[a] ? b : a), 'safe');

function verdictFor(rule: Pick<TypeChangeRule, 'read' | 'filter' | 'write'>, uses: readonly ColumnUse[]): Verdict {
  return worst(uses.map((use) => (use === 'read' ? rule.read : use === 'filter' ? rule.filter : rule.write)));
}

const lengthOf = (modifier: string | null): number => (modifier === null ? Infinity : Number.parseInt(modifier.slice(1), 10));

/** The verdict on a column's type change for the ways the worker uses it, and why. */
export function judgeTypeChange(expected: string, actual: string, uses: readonly ColumnUse[], isEnum: (name: string) => boolean): { verdict: Verdict; why: string } {
  const from = parseType(expected, isEnum);
  const to = parseType(actual, isEnum);
  if (from.array !== to.array) return { verdict: 'breaking', why: to.array ? 'a single value became an array' : 'an array became a single value' };
  if (from.base === 'enum' && to.base === 'enum') return { verdict: 'breaking', why: 'the column moved to another enum type' };
  const rule = from.base === to.base ? { read: 'safe', filter: 'safe', write: 'safe', why: 'the same type' } as const : typeChangeRules.find((r) => r.from === from.base && r.to === to.base);
  if (!rule) return { verdict: 'breaking', why: 'no rule says this change is safe; review it and add one to type-compatibility.ts' };
  let verdict = verdictFor(rule, uses);
  let why = rule.why;
  // A tighter length or precision rejects values the worker may write; a looser one harms nobody.
  if (lengthOf(to.modifier) < lengthOf(from.modifier) && to.modifier !== from.modifier) {
    const tighter = verdictFor({ read: 'safe', filter: 'safe', write: 'warning' }, uses);
    if (ORDER[tighter] > ORDER[verdict]) verdict = tighter;
    why = `${from.base === to.base ? '' : `${why}; `}the new limit ${to.modifier} may reject values the worker writes`;
  } else if (from.base === to.base && from.modifier !== to.modifier) {
    why = 'a looser limit';
  }
  return { verdict, why };
}
