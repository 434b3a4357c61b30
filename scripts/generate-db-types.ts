/**
 * npm run db:types: regenerate src/db/types.generated.ts from a fresh database built from the
 * owner-schema stand-in (embedded PostgreSQL unless --url is given). With --check, fail when the
 * committed file differs instead of writing it.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startEmbeddedPostgres } from './lib/embedded-postgres.ts';
import { generateDbTypes, generatedTypesPath } from './lib/db-types.ts';
import { applyOwnerSchema } from '../test/fixtures/owner-schema/apply-owner-schema.ts';
import { findFreePort } from '../test/support/free-port.ts';

const { values } = parseArgs({ options: { check: { type: 'boolean', default: false }, url: { type: 'string' } } });

async function withOwnerDatabase<T>(work: (url: string) => Promise<T>): Promise<T> {
  if (values.url) return work(values.url);
  const dir = await mkdtemp(path.join(tmpdir(), 'tm-db-types-'));
  const cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port: await findFreePort(), persistent: false });
  try {
    const url = cluster.urlFor('postgres');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await applyOwnerSchema(client);
    } finally {
      await client.end();
    }
    return await work(url);
  } finally {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const generated = await withOwnerDatabase(generateDbTypes);
const relative = path.relative(process.cwd(), generatedTypesPath);
if (values.check) {
  const committed = await readFile(generatedTypesPath, 'utf8').catch(() => '');
  if (committed !== generated) {
    process.stderr.write(`${relative} is stale: run "npm run db:types" and commit the result.\n`);
    process.exit(1);
  }
  process.stdout.write(`${relative} is current.\n`);
} else {
  await writeFile(generatedTypesPath, generated);
  process.stdout.write(`wrote ${relative}\n`);
}
