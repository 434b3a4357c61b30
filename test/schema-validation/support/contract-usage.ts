/**
 * Finds contract entries no code needs, with the TypeScript compiler: an entry is used when taking
 * it out of src/db/owner-contract.ts makes some file in src/ fail to type-check. Since OwnerDb is
 * typed by the contract, that is exactly "some query reads or writes it".
 *
 * Reference search (findReferences) cannot answer this: Kysely's mapped types (UpdateObject,
 * SelectExpression, Selection) do not keep the link from `.set({ name })`, `.where('espnId', …)`
 * or `row.tradedPicks` back to the column's declaration, so it finds only the contract itself.
 */
import path from 'node:path';
import ts from 'typescript';
import { repoRoot } from '../../support/spawn-node.ts';

export const contractPath = path.join(repoRoot, 'src/db/owner-contract.ts');
const generatedPath = path.join(repoRoot, 'src/db/types.generated.ts');

/** One removable entry of the contract: a column (`team.name`) or an enum label (`SyncJobType 'espn_team_sync'`). */
interface ContractEntry {
  readonly id: string;
  /** The word a file must contain to possibly use it (prefilter before type-checking). */
  readonly pattern: RegExp;
  /** Where to cut, including a trailing comma. */
  readonly start: number;
  readonly end: number;
}

const propertyName = (node: ts.ObjectLiteralElementLike): string | undefined =>
  node.name && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name)) ? node.name.text : undefined;

function objectProperty(literal: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  const property = literal.properties.find((p) => propertyName(p) === name);
  return property && ts.isPropertyAssignment(property) ? property.initializer : undefined;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function withComma(source: ts.SourceFile, node: ts.Node): { start: number; end: number } {
  const text = source.text;
  let end = node.end;
  while (text[end] === ' ') end += 1;
  if (text[end] === ',') end += 1;
  return { start: node.getStart(source), end };
}

/** The columns and enum labels of `ownerContract`, found in the source text. */
export function contractEntries(contractText: string): ContractEntry[] {
  const source = ts.createSourceFile(contractPath, contractText, ts.ScriptTarget.Latest, true);
  let literal: ts.ObjectLiteralExpression | undefined;
  source.forEachChild(function visit(node) {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === 'ownerContract' && node.initializer) {
      let expression: ts.Expression = node.initializer;
      while (ts.isSatisfiesExpression(expression) || ts.isAsExpression(expression)) expression = expression.expression;
      if (ts.isObjectLiteralExpression(expression)) literal = expression;
    }
    node.forEachChild(visit);
  });
  if (!literal) throw new Error('ownerContract object literal not found in src/db/owner-contract.ts');
  const entries: ContractEntry[] = [];
  for (const kind of ['tables', 'views']) {
    const relations = objectProperty(literal, kind);
    if (!relations || !ts.isObjectLiteralExpression(relations)) continue;
    for (const relation of relations.properties) {
      const columns = ts.isPropertyAssignment(relation) && ts.isObjectLiteralExpression(relation.initializer) ? objectProperty(relation.initializer, 'columns') : undefined;
      if (!columns || !ts.isObjectLiteralExpression(columns)) continue;
      for (const column of columns.properties) {
        const name = propertyName(column);
        if (name) entries.push({ id: `${propertyName(relation)}.${name}`, pattern: new RegExp(`\\b${escape(name)}\\b`), ...withComma(source, column) });
      }
    }
  }
  const enums = objectProperty(literal, 'enums');
  if (enums && ts.isObjectLiteralExpression(enums)) {
    for (const enumEntry of enums.properties) {
      const labels = ts.isPropertyAssignment(enumEntry) && ts.isObjectLiteralExpression(enumEntry.initializer) ? objectProperty(enumEntry.initializer, 'labels') : undefined;
      if (!labels || !ts.isArrayLiteralExpression(labels)) continue;
      for (const label of labels.elements) {
        if (!ts.isStringLiteral(label)) continue;
        entries.push({ id: `${propertyName(enumEntry)} '${label.text}'`, pattern: new RegExp(`['"]${escape(label.text)}['"]`), ...withComma(source, label) });
      }
    }
  }
  return entries;
}

// Shared by every service this module creates, so lib and kysely declarations are parsed once.
const registry = ts.createDocumentRegistry();

/** A language service over src/ whose copy of the contract can be swapped without touching the file. */
function createService(contractText: string) {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(repoRoot, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!config) throw new Error('cannot read tsconfig.json');
  const files = config.fileNames.filter((file) => file.startsWith(path.join(repoRoot, 'src') + path.sep));
  let current = contractText;
  let version = 0;
  const host: ts.LanguageServiceHost = {
    getScriptFileNames: () => files,
    getScriptVersion: (file) => (file === contractPath ? String(version) : '0'),
    getScriptSnapshot: (file) => {
      if (file === contractPath) return ts.ScriptSnapshot.fromString(current);
      const text = ts.sys.readFile(file);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => repoRoot,
    getCompilationSettings: () => config.options,
    getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  };
  const service = ts.createLanguageService(host, registry);
  // Files that can use the contract at all: they sit in src/db/ or import from it.
  const users = files
    .filter((file) => file !== contractPath && file !== generatedPath)
    .map((file) => ({ file, text: ts.sys.readFile(file) ?? '' }))
    .filter(({ file, text }) => file.includes(`${path.sep}src${path.sep}db${path.sep}`) || text.includes('/db/'));
  return {
    users,
    setContract(text: string) {
      current = text;
      version += 1;
    },
    errorCount: (file: string) => service.getSemanticDiagnostics(file).length,
  };
}

/**
 * The ids of the contract entries whose removal breaks nothing: declared, but no code uses them.
 * `only` limits the probe to some ids (each probe re-checks the files that could use the entry).
 */
export function unusedContractEntries(contractText: string, only?: (id: string) => boolean): string[] {
  const service = createService(contractText);
  const entries = contractEntries(contractText).filter((entry) => only?.(entry.id) ?? true);
  const probes = entries.map((entry) => ({ entry, candidates: service.users.filter(({ text }) => entry.pattern.test(text)).map(({ file }) => file) }));
  // Errors each file has with the contract as given (others' work in progress must not count).
  const baseline = new Map([...new Set(probes.flatMap((p) => p.candidates))].map((file) => [file, service.errorCount(file)]));
  const unused: string[] = [];
  for (const { entry, candidates } of probes) {
    service.setContract(contractText.slice(0, entry.start) + contractText.slice(entry.end));
    if (!candidates.some((file) => service.errorCount(file) > (baseline.get(file) ?? 0))) unused.push(entry.id);
  }
  return unused;
}
