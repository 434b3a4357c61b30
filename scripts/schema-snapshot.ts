/**
 * npm run schema:snapshot: regenerate src/db/schema-check/expected-schema.generated.ts, the types
 * of the contract's columns and the labels of its enums, from a fresh database built from the
 * owner-schema stand-in (embedded PostgreSQL unless --url is given). With --check, fail when the
 * committed file differs instead of writing it.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startEmbeddedPostgres } from './lib/embedded-postgres.ts';
import { expectedSchemaPath, snapshotExpectedSchema } from '../src/db/schema-check/snapshot.ts';
import { applyOwnerSchema } from '../test/fixtures/owner-schema/apply-owner-schema.ts';
import { findFreePort } from '../test/support/free-port.ts';

const { values } = parseArgs({ options: { check: { type: 'boolean', default: false }, url: { type: 'string' } } });

async function snapshotFrom(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await snapshotExpectedSchema(client, 'public');
  } finally {
    await client.end();
  }
}

async function withStandIn<T>(work: (url: string) => Promise<T>): Promise<T> {
  if (values.url) return work(values.url);
  const dir = await mkdtemp(path.join(tmpdir(), 'tm-schema-snapshot-'));
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

const generated = await withStandIn(snapshotFrom);
const relative = path.relative(process.cwd(), expectedSchemaPath);
if (values.check) {
  const committed = await readFile(expectedSchemaPath, 'utf8').catch(() => '');
  if (committed !== generated) {
    process.stderr.write(`${relative} is stale: run "npm run schema:snapshot" and commit the result.\n`);
    process.exit(1);
  }
  process.stdout.write(`${relative} is current.\n`);
} else {
  await writeFile(expectedSchemaPath, generated);
  process.stdout.write(`wrote ${relative}\n`);
}
