/**
 * Runs once before all test files (node --test-global-setup): finds or starts a PostgreSQL and
 * builds the template database holding the owner's schema, which every test file clones.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type RunningPostgres } from '../../scripts/lib/embedded-postgres.ts';
import { applyOwnerSchema } from '../fixtures/owner-schema/apply-owner-schema.ts';
import { findFreePort } from './free-port.ts';
import { ADMIN_URL_VARIABLE, OWNER_TEMPLATE } from './database.ts';

let embedded: RunningPostgres | undefined;
let embeddedDir: string | undefined;

export async function globalSetup(): Promise<void> {
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    embeddedDir = await mkdtemp(path.join(tmpdir(), 'tm-worker-test-pg-'));
    embedded = await startEmbeddedPostgres({ dataDir: path.join(embeddedDir, 'data'), port: await findFreePort(), persistent: false });
    adminUrl = embedded.adminUrl;
  }
  // Test files run in child processes, which inherit this environment.
  process.env[ADMIN_URL_VARIABLE] = adminUrl;
  await buildOwnerTemplate(adminUrl);
}

export async function globalTeardown(): Promise<void> {
  await embedded?.stop();
  if (embeddedDir) await rm(embeddedDir, { recursive: true, force: true });
}

async function buildOwnerTemplate(adminUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${OWNER_TEMPLATE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${OWNER_TEMPLATE} TEMPLATE template0 ENCODING 'UTF8'`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${OWNER_TEMPLATE}`;
  const template = new pg.Client({ connectionString: url.toString() });
  await template.connect();
  try {
    // Both deployments of the owner, as in production: public and, beside it, staging.
    await applyOwnerSchema(template);
    await applyOwnerSchema(template, { schema: 'staging' });
  } finally {
    await template.end();
  }
}
