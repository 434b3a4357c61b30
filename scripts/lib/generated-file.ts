/**
 * The one way generated files are made: build a fresh database from the owner-schema stand-in
 * (embedded PostgreSQL unless --url is given), generate the text from it, then write the file,
 * or with --check fail when the committed file differs.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { applyOwnerSchema } from '../../test/fixtures/owner-schema/apply-owner-schema.ts';
import { findFreePort } from '../../test/support/free-port.ts';
import { withPgClient } from './pg-client.ts';

export interface GeneratedFile {
  /** Absolute path of the committed file. */
  readonly filePath: string;
  /** The npm command that regenerates it, for the "stale" message. */
  readonly regenerateCommand: string;
  /** Makes the file's text from a database holding the owner's schema. */
  generate(databaseUrl: string): Promise<string>;
}

async function withOwnerDatabase<T>(url: string | undefined, work: (url: string) => Promise<T>): Promise<T> {
  if (url) return work(url);
  const dir = await mkdtemp(path.join(tmpdir(), 'tm-generated-'));
  const cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port: await findFreePort(), persistent: false });
  try {
    const standIn = cluster.urlFor('postgres');
    await withPgClient(standIn, (client) => applyOwnerSchema(client));
    return await work(standIn);
  } finally {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs a generator script's command line: `[--check] [--url <database>]`. */
export async function runGeneratedFileCommand(file: GeneratedFile, argv: string[] = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { check: { type: 'boolean', default: false }, url: { type: 'string' } } });
  const generated = await withOwnerDatabase(values.url, (url) => file.generate(url));
  const relative = path.relative(process.cwd(), file.filePath);
  if (values.check) {
    const committed = await readFile(file.filePath, 'utf8').catch(() => '');
    if (committed !== generated) {
      process.stderr.write(`${relative} is stale: run "${file.regenerateCommand}" and commit the result.\n`);
      process.exit(1);
    }
    process.stdout.write(`${relative} is current.\n`);
  } else {
    await writeFile(file.filePath, generated);
    process.stdout.write(`wrote ${relative}\n`);
  }
}
