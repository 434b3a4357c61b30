/**
 * Writes the Grafana dashboards kept as code (scripts/dashboards/) into infra/grafana/dashboards/,
 * which docker-compose.shared.yml provisions. `--check` writes nothing and exits 1 when a committed
 * file differs from what the code generates.
 *
 *   npm run dashboards            regenerate
 *   npm run dashboards -- --check verify
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildDashboards, dashboardJson } from './dashboards/index.ts';

const outputDir = path.join(import.meta.dirname, '../infra/grafana/dashboards');
const check = process.argv.includes('--check');
let stale = 0;
for (const { file, dashboard } of buildDashboards()) {
  const target = path.join(outputDir, file);
  const json = dashboardJson(dashboard);
  if (check) {
    const committed = await readFile(target, 'utf8').catch(() => '');
    if (committed !== json) {
      stale += 1;
      process.stderr.write(`${path.relative(process.cwd(), target)} is stale: run npm run dashboards\n`);
    }
  } else {
    await writeFile(target, json);
    process.stdout.write(`wrote ${path.relative(process.cwd(), target)}\n`);
  }
}
process.exit(stale > 0 ? 1 : 0);
