/** The report for people: an aligned terminal table, markdown for a pull-request comment, or JSON for tools. */
import type { SchemaCheckReport, SchemaFinding } from './report.ts';

export type ReportFormat = 'table' | 'json' | 'markdown';

const HEADERS = ['severity', 'object', 'change', 'expected', 'actual', 'what it means'] as const;
const cells = (f: SchemaFinding): string[] => [f.severity, f.object, f.kind, f.expected ?? '—', f.actual ?? '—', f.message];

function headline(report: SchemaCheckReport, where: string | undefined): string {
  const count = (severity: SchemaFinding['severity']) => report.findings.filter((f) => f.severity === severity).length;
  const verdict = { clean: 'CLEAN', warnings: 'WARNINGS', breaking: 'BREAKING' }[report.status];
  const queue = report.queueSchema ? ` and queue schema "${report.queueSchema}"` : '';
  const on = where ? ` on ${where}` : '';
  return `Schema check of "${report.ownerSchema}"${queue}${on}: ${verdict} (${count('breaking')} breaking, ${count('warning')} warnings, ${count('info')} info)`;
}

function table(report: SchemaCheckReport, where: string | undefined): string {
  const rows = report.findings.map(cells);
  if (rows.length === 0) return `${headline(report, where)}\nEverything the worker relies on is there, as it expects.\n`;
  const widths = HEADERS.map((header, i) => Math.max(header.length, ...rows.map((row) => row[i]?.length ?? 0)));
  // The last column is free text: not padded, so a long message does not widen the others.
  const line = (row: readonly string[]) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [headline(report, where), '', line(HEADERS.map((h) => h.toUpperCase())), ...rows.map(line), ''].join('\n');
}

const escapeCell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function markdown(report: SchemaCheckReport, where: string | undefined): string {
  const icon = { clean: '✅', warnings: '⚠️', breaking: '❌' }[report.status];
  const lines = [`### ${icon} ${headline(report, where)}`, ''];
  if (report.findings.length === 0) return [...lines, 'Everything the worker relies on is there, as it expects.', ''].join('\n');
  lines.push(`| ${HEADERS.join(' | ')} |`, `|${HEADERS.map(() => '---').join('|')}|`);
  for (const finding of report.findings) {
    const [severity = '', object = '', kind = '', expected = '', actual = '', message = ''] = cells(finding);
    lines.push(`| ${[severity, `\`${object}\``, kind, expected === '—' ? '—' : `\`${expected}\``, actual === '—' ? '—' : `\`${actual}\``, message].map(escapeCell).join(' | ')} |`);
  }
  return [...lines, ''].join('\n');
}

/** The report in the given format; `where` (a redacted URL) goes into the headline. */
export function renderReport(report: SchemaCheckReport, format: ReportFormat, where?: string): string {
  if (format === 'json') return `${JSON.stringify(where ? { ...report, database: where } : report, null, 2)}\n`;
  return format === 'markdown' ? markdown(report, where) : table(report, where);
}
