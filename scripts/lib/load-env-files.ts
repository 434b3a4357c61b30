import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';

/**
 * Dev-only: fills process.env from `.env` (yours, gitignored), then `.env.development` (the
 * documented defaults). The shell wins over both, and `.env` over the defaults. The worker itself
 * never reads files: in production the environment is all there is.
 */
export function loadDevEnvFiles(root: string): void {
  for (const file of ['.env', '.env.development']) {
    const full = path.join(root, file);
    if (!existsSync(full)) continue;
    for (const [key, value] of Object.entries(parseEnv(readFileSync(full, 'utf8')))) {
      if (process.env[key] === undefined) process.env[key] = value;
    }
  }
}
