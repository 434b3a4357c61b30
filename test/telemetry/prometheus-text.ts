/** Reading the Prometheus text format the worker serves, and the rules its label values must keep. */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Every sample line of a scrape (comments and blank lines skipped). */
export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE_LINE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(LABEL_PAIR)) {
      labels[pair[1] ?? ''] = (pair[2] ?? '').replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char));
    }
    samples.push({ name: match[1] ?? '', labels, value: Number(match[3]) });
  }
  return samples;
}

/** Labels whose values are numbers by design (histogram bucket bounds, summary quantiles). */
const NUMERIC_LABELS = new Set(['le', 'quantile']);
/** Labels that identify a build, where a long hexadecimal value (a commit) is the point. */
const BUILD_LABELS = new Set(['commit']);

/**
 * Why a label value must not be a label, or undefined when it is fine: ids (UUIDs, numbers, long
 * hex strings), email addresses and URLs make series unbounded, and may be personal data.
 */
export function unboundedLabelProblem(label: string, value: string): string | undefined {
  if (NUMERIC_LABELS.has(label)) return undefined;
  if (/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.test(value)) return 'contains a UUID';
  if (/^\d+$/.test(value)) return 'is a numeric id';
  if (!BUILD_LABELS.has(label) && /^[0-9a-f]{16,}$/i.test(value)) return 'is a hexadecimal id';
  if (/[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+/.test(value)) return 'contains an email address';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || /\bhttps?:/i.test(value) || /^\/\S/.test(value)) return 'is a URL or path';
  return undefined;
}
