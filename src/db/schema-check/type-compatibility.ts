/**
 * Which column type changes the worker survives. A change is judged per use (see ColumnUse): a
 * value the worker reads into JavaScript, one it only names in SQL, and one it writes can each be
 * hurt differently by the same change. A change no rule lists is breaking: an unknown change is
 * reviewed by a person before the worker runs on it.
 *
 * A type's modifier (a length, a precision) is judged by modifierRules: `timestamp` and
 * `timestamp(6)` are the same type, a lower precision rounds what the worker writes.
 */
import type { ColumnUse } from '../owner-contract.ts';

/** safe: reported for information; warning: works, but something may differ; breaking: fails or corrupts. */
export type Verdict = 'safe' | 'warning' | 'breaking';

export interface TypeChangeRule {
  /** Base type names (no length or precision, see modifierRules); `enum` stands for any enum type. */
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
const TIME = 'time without time zone';
const TIMETZ = 'time with time zone';

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

/** How the worker fares when a type's modifier (a length, a precision) goes down or up, per use. */
export type ModifierChange = Pick<TypeChangeRule, 'read' | 'filter' | 'write'> & {
  /** `{to}` stands for the new modifier, e.g. `(3)`. */
  readonly why: string;
};

export interface ModifierRule {
  /** Base type names (as format_type spells them, without the modifier) whose modifier this rule explains. */
  readonly types: readonly string[];
  /**
   * The modifier a bare type stands for: `timestamp` is `timestamp(6)`, so the two are the same type.
   * null: a bare type has no limit (`character varying` takes any length).
   */
  readonly implied: number | null;
  readonly lower: ModifierChange;
  readonly higher: ModifierChange;
}

/** The modifier rule for types no entry lists: the modifier is a length limit (varchar(n), char(n), bit(n), numeric(p,s)). */
export const lengthLimitRule: ModifierRule = {
  types: [],
  implied: null,
  // A tighter limit rejects values the worker may write; a looser one harms nobody.
  lower: { read: 'safe', filter: 'safe', write: 'warning', why: 'the new limit {to} may reject values the worker writes' },
  higher: { read: 'safe', filter: 'safe', write: 'safe', why: 'a looser limit' },
};

export const modifierRules: readonly ModifierRule[] = [
  {
    // Fractional-second digits; 6 (microseconds) is both the default and the maximum. The owner's
    // tool writes timestamp(6) out, which is the same type as a bare timestamp.
    types: [TIMESTAMP, TIMESTAMPTZ, TIME, TIMETZ, 'interval'],
    implied: 6,
    // PostgreSQL rounds (not rejects) extra digits on write; reads and comparisons still work.
    lower: { read: 'safe', filter: 'safe', write: 'warning', why: 'a lower precision {to} rounds the fractional seconds of what the worker writes' },
    higher: { read: 'safe', filter: 'safe', write: 'safe', why: 'a higher precision keeps every value the worker writes' },
  },
];

interface ParsedType {
  /** The type without modifier or array brackets (`timestamp without time zone`); `enum` for any enum. */
  readonly base: string;
  /** The base, with enums by their own name: two enum types are the same only by name. */
  readonly name: string;
  /** `(40)`, `(10,2)`, `(6)` as spelled; null when none is written. */
  readonly modifier: string | null;
  readonly array: boolean;
}

/**
 * Splits `character varying(40)[]` or `timestamp(3) without time zone` into base, modifier and
 * array-ness: format_type writes the modifier after the type's first word(s), not always at the end.
 */
export function parseType(type: string, isEnum: (name: string) => boolean): ParsedType {
  const array = type.endsWith('[]');
  const element = array ? type.slice(0, -2) : type;
  if (isEnum(element)) return { base: 'enum', name: element, modifier: null, array };
  const match = /^(.*?)(\(\d+(?:,\d+)?\))(.*)$/.exec(element);
  const base = match ? `${match[1] ?? ''}${match[3] ?? ''}` : element;
  return { base: isEnum(base) ? 'enum' : base, name: base, modifier: match?.[2] ?? null, array };
}

const ruleForModifier = (base: string): ModifierRule => modifierRules.find((rule) => rule.types.includes(base)) ?? lengthLimitRule;

/**
 * The modifier's numbers, a bare type's implied one filled in: `timestamp` → [6], `numeric(10,2)`
 * → [10, 2], `character varying` → [] (no limit).
 */
function modifierOf(type: ParsedType): number[] {
  if (type.modifier !== null) return type.modifier.slice(1, -1).split(',').map((n) => Number.parseInt(n, 10));
  const implied = ruleForModifier(type.base).implied;
  return implied === null ? [] : [implied];
}

/** Whether two spellings name the same type: `timestamp` and `timestamp(6)` do, `timestamp(3)` does not. */
export function sameType(expected: string, actual: string, isEnum: (name: string) => boolean): boolean {
  const from = parseType(expected, isEnum);
  const to = parseType(actual, isEnum);
  return from.array === to.array && from.name === to.name && modifierOf(from).join(',') === modifierOf(to).join(',');
}

/** lower: some part of the modifier went down (or a limit appeared); higher: it changed otherwise; null: unchanged. */
function modifierChange(from: ParsedType, to: ParsedType): 'lower' | 'higher' | null {
  const before = modifierOf(from);
  const after = modifierOf(to);
  if (before.join(',') === after.join(',')) return null;
  const lower = after.some((n, i) => n < (before[i] ?? Infinity));
  return lower ? 'lower' : 'higher';
}

const ORDER: Readonly<Record<Verdict, number>> = { safe: 0, warning: 1, breaking: 2 };
const worst = (verdicts: readonly Verdict[]): Verdict => verdicts.reduce<Verdict>((a, b) => (ORDER[b] > ORDER[a] ? b : a), 'safe');

function verdictFor(rule: Pick<TypeChangeRule, 'read' | 'filter' | 'write'>, uses: readonly ColumnUse[]): Verdict {
  return worst(uses.map((use) => (use === 'read' ? rule.read : use === 'filter' ? rule.filter : rule.write)));
}

/** The verdict on a column's type change for the ways the worker uses it, and why. */
export function judgeTypeChange(expected: string, actual: string, uses: readonly ColumnUse[], isEnum: (name: string) => boolean): { verdict: Verdict; why: string } {
  const from = parseType(expected, isEnum);
  const to = parseType(actual, isEnum);
  if (from.array !== to.array) return { verdict: 'breaking', why: to.array ? 'a single value became an array' : 'an array became a single value' };
  if (from.base === 'enum' && to.base === 'enum') return { verdict: from.name === to.name ? 'safe' : 'breaking', why: from.name === to.name ? 'the same type' : 'the column moved to another enum type' };
  const rule = from.base === to.base ? { read: 'safe', filter: 'safe', write: 'safe', why: 'the same type' } as const : typeChangeRules.find((r) => r.from === from.base && r.to === to.base);
  if (!rule) return { verdict: 'breaking', why: 'no rule says this change is safe; review it and add one to type-compatibility.ts' };
  let verdict = verdictFor(rule, uses);
  let why = rule.why;
  const direction = modifierChange(from, to);
  if (direction !== null) {
    // The new type's rule says what its modifier means (a length, a precision).
    const modifierRule = ruleForModifier(to.base);
    const change = modifierRule[direction];
    const changed = verdictFor(change, uses);
    if (ORDER[changed] > ORDER[verdict]) verdict = changed;
    const text = change.why.replaceAll('{to}', to.modifier ?? `(${modifierRule.implied ?? ''})`);
    if (from.base === to.base) why = text;
    else if (direction === 'lower') why = `${why}; ${text}`;
  }
  return { verdict, why };
}
