/**
 * Docker does not run on the project's machines, so the compose files are kept honest by reading
 * them: the worker gets every variable it requires, its values pass the real config schema, and
 * the files agree with each other and with the Dockerfile.
 */
import { SHUTDOWN_MARGIN_MS } from '../src/worker.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig, requiredVariables, configVariables } from '../src/config.ts';

const root = path.resolve(import.meta.dirname, '..');

interface ComposeFile {
  name?: string;
  services: Record<string, { image?: string; build?: unknown; environment?: Record<string, string>; ports?: string[]; networks?: string[]; command?: string[]; healthcheck?: unknown; stop_grace_period?: string }>;
  networks?: Record<string, { name?: string; external?: boolean }>;
}

async function readCompose(file: string): Promise<ComposeFile> {
  return parse(await readFile(path.join(root, file), 'utf8')) as ComposeFile;
}

/** What compose does to `${VAR:-default}` when VAR is unset. */
function interpolateDefaults(value: string): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}/g, (_match, _name: string, fallback: string | undefined) => fallback ?? '');
}

test('the worker service gets every variable the config requires, and its values pass the config schema', async () => {
  const compose = await readCompose('docker-compose.yml');
  const environment = compose.services.worker?.environment ?? {};
  for (const variable of requiredVariables) assert.ok(variable in environment, `docker-compose.yml worker lacks ${variable}`);
  for (const variable of Object.keys(environment)) assert.ok(configVariables.includes(variable), `docker-compose.yml sets ${variable}, which the worker does not read`);
  const resolved = Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, interpolateDefaults(String(value))]));
  const config = loadConfig(resolved);
  assert.equal(config.http.host, '0.0.0.0', 'the container must listen beyond loopback');
  assert.equal(new URL(config.database.url).hostname, 'postgres', 'the database is the shared compose service');
});

test('the worker joins the external network that the shared stack creates, which runs PostgreSQL 16', async () => {
  const worker = await readCompose('docker-compose.yml');
  const shared = await readCompose('docker-compose.shared.yml');
  const workerNetwork = worker.networks?.shared;
  assert.equal(workerNetwork?.external, true);
  assert.equal(workerNetwork?.name, shared.networks?.shared?.name);
  assert.deepEqual(worker.services.worker?.networks, ['shared']);
  assert.equal(shared.services.postgres?.image, 'postgres:16');
  for (const service of ['postgres', 'redis', 'prometheus', 'grafana']) assert.ok(shared.services[service], `shared stack has ${service}`);
  const environment = shared.services.postgres?.environment ?? {};
  const url = new URL(interpolateDefaults(String(worker.services.worker?.environment?.DATABASE_URL)));
  assert.equal(decodeURIComponent(url.username), environment.POSTGRES_USER);
  assert.equal(decodeURIComponent(url.password), environment.POSTGRES_PASSWORD);
  assert.equal(url.pathname, `/${environment.POSTGRES_DB}`);
});

test('Prometheus scrapes the worker on the port it listens on, and Grafana is provisioned with it', async () => {
  const worker = await readCompose('docker-compose.yml');
  const prometheus = parse(await readFile(path.join(root, 'infra/prometheus/prometheus.yml'), 'utf8')) as {
    scrape_configs: { metrics_path: string; static_configs: { targets: string[] }[] }[];
  };
  const port = worker.services.worker?.environment?.HTTP_PORT;
  assert.deepEqual(prometheus.scrape_configs[0]?.static_configs[0]?.targets, [`worker:${port}`]);
  assert.equal(prometheus.scrape_configs[0]?.metrics_path, '/metrics');
  const datasources = parse(await readFile(path.join(root, 'infra/grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as {
    datasources: { type: string; url: string }[];
  };
  assert.deepEqual(datasources.datasources.map((source) => [source.type, source.url]), [['prometheus', 'http://prometheus:9090']]);
});

test('the Dockerfile runs Node 24 on the same port, with the inspector signal disabled', async () => {
  const dockerfile = await readFile(path.join(root, 'Dockerfile'), 'utf8');
  const worker = await readCompose('docker-compose.yml');
  assert.match(dockerfile, /^FROM node:24[-.\w]*$/m);
  assert.match(dockerfile, new RegExp(`^EXPOSE ${worker.services.worker?.environment?.HTTP_PORT}$`, 'm'));
  // The image runs the worker exactly as `npm start` does: the same Node flags (the players bench measures those).
  const manifest = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const startWords = manifest.scripts.start.split(/\s+/);
  assert.ok(startWords.includes('--disable-sigusr1'), 'npm start disables the inspector signal');
  assert.match(dockerfile, new RegExp(`^CMD ${JSON.stringify(startWords).replace(/[[\]]/g, '\\$&').replace(/,/g, ', ')}$`, 'm'));
  const grace = Number.parseInt(worker.services.worker?.stop_grace_period ?? '0', 10);
  const shutdownMs = Number(worker.services.worker?.environment?.SHUTDOWN_TIMEOUT_MS);
  assert.ok(grace * 1000 >= shutdownMs + SHUTDOWN_MARGIN_MS, 'compose waits at least as long as a stop may take (SHUTDOWN_TIMEOUT_MS plus the margin)');
});

test('the test stack runs the README test command against PostgreSQL 16', async () => {
  const compose = await readCompose('docker-compose.test.yml');
  assert.equal(compose.services.postgres?.image, 'postgres:16');
  assert.deepEqual(compose.services.tests?.command, ['npm', 'install-ci-test']);
  assert.match(String(compose.services.tests?.environment?.TEST_DATABASE_URL), /@postgres:5432\//);
  const readme = await readFile(path.join(root, 'README.md'), 'utf8');
  assert.match(readme, /npm install-ci-test/);
});
