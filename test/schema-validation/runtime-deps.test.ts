/**
 * The owner's CI runs the CLIs after `npm ci --omit=dev`: what they load at run time may come only
 * from `dependencies` and must not reach into test/. Type-only imports are erased, so they don't count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';
import { repoRoot } from '../support/spawn-node.ts';

async function runtimeImports(entry: string): Promise<{ files: string[]; packages: Set<string> }> {
  const files: string[] = [];
  const packages = new Set<string>();
  const queue = [path.join(repoRoot, entry)];
  while (queue.length > 0) {
    const file = queue.pop() ?? '';
    if (files.includes(file)) continue;
    files.push(file);
    const source = ts.createSourceFile(file, await readFile(file, 'utf8'), ts.ScriptTarget.Latest);
    for (const statement of source.statements) {
      const isTypeOnly =
        (ts.isImportDeclaration(statement) && statement.importClause?.isTypeOnly === true) || (ts.isExportDeclaration(statement) && statement.isTypeOnly);
      const specifier = (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : undefined;
      if (!specifier || isTypeOnly) continue;
      if (specifier.startsWith('.')) queue.push(path.resolve(path.dirname(file), specifier));
      else if (!specifier.startsWith('node:')) packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] ?? specifier));
    }
  }
  return { files: files.map((file) => path.relative(repoRoot, file)), packages };
}

test('schema:check and queue:sql load only runtime dependencies', async () => {
  const manifest = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const entry of ['scripts/schema-check.ts', 'scripts/queue-schema-sql.ts']) {
    const { files, packages } = await runtimeImports(entry);
    assert.deepEqual(files.filter((file) => !file.startsWith('src/') && !file.startsWith('scripts/')), [], `${entry} loads files outside src/ and scripts/`);
    assert.deepEqual([...packages].filter((name) => !(name in manifest.dependencies)), [], `${entry} loads packages that are not runtime dependencies`);
  }
});
