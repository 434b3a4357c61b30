/**
 * `npm run chaos`: drives a real worker process through SIGKILLs, a SIGTERM with blocked jobs, a
 * PostgreSQL restart and pg_terminate_backend, then checks that every job was done, none was lost
 * and no message was sent twice. Exit 0 when all checks pass, 1 when one fails, 2 on bad flags.
 *
 *   npm run chaos -- [--jobs 300] [--kills 100] [--seed N] [--kill-delay-ms 300-3000]
 *                    [--shutdown-timeout-ms 3000] [--settle-timeout-s 480] [--deadline-min 20]
 *                    [--keep always|on-failure|never] [--json]
 */
import { parseArgs } from 'node:util';
import { randomSeed } from './random.ts';
import { defaultChaosOptions, runChaos, type ChaosOptions } from './run.ts';
import { formatReport } from './report.ts';

function usage(message: string): never {
  process.stderr.write(`chaos: ${message}\n`);
  process.exit(2);
}

function integer(name: string, raw: string | undefined, fallback: number, min = 0): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) usage(`--${name} must be an integer ≥ ${min} (got "${raw}")`);
  return value;
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      jobs: { type: 'string' },
      kills: { type: 'string' },
      seed: { type: 'string' },
      'kill-delay-ms': { type: 'string' },
      'shutdown-timeout-ms': { type: 'string' },
      'settle-timeout-s': { type: 'string' },
      'deadline-min': { type: 'string' },
      keep: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
} catch (error) {
  usage(error instanceof Error ? error.message : String(error));
}
const values = parsed.values;
if (values.help) {
  process.stdout.write(
    'npm run chaos -- [--jobs 300] [--kills 100] [--seed N] [--kill-delay-ms 300-3000] [--shutdown-timeout-ms 3000]\n' +
      '                 [--settle-timeout-s 480] [--deadline-min 20] [--keep always|on-failure|never] [--json]\n',
  );
  process.exit(0);
}
let killDelayMs = defaultChaosOptions.killDelayMs;
if (values['kill-delay-ms'] !== undefined) {
  const match = /^(\d+)-(\d+)$/.exec(values['kill-delay-ms']);
  if (!match || Number(match[1]) > Number(match[2])) usage(`--kill-delay-ms must be MIN-MAX in ms (got "${values['kill-delay-ms']}")`);
  killDelayMs = [Number(match[1]), Number(match[2])];
}
const keep = values.keep ?? defaultChaosOptions.keep;
if (keep !== 'always' && keep !== 'on-failure' && keep !== 'never') usage(`--keep must be always, on-failure or never (got "${keep}")`);

const options: ChaosOptions = {
  ...defaultChaosOptions,
  jobs: integer('jobs', values.jobs, defaultChaosOptions.jobs, 1),
  kills: integer('kills', values.kills, defaultChaosOptions.kills),
  seed: integer('seed', values.seed, randomSeed()),
  killDelayMs,
  shutdownTimeoutMs: integer('shutdown-timeout-ms', values['shutdown-timeout-ms'], defaultChaosOptions.shutdownTimeoutMs, 1),
  settleTimeoutMs: integer('settle-timeout-s', values['settle-timeout-s'], defaultChaosOptions.settleTimeoutMs / 1000, 1) * 1000,
  deadlineMs: integer('deadline-min', values['deadline-min'], defaultChaosOptions.deadlineMs / 60_000, 1) * 60_000,
  keep,
  log: (line) => process.stderr.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}\n`),
};

// The run keeps its own deadline; this is the backstop should something hang regardless.
const backstop = setTimeout(() => {
  process.stderr.write(`chaos: still running ${options.deadlineMs / 60_000 + 2} minutes after the start; giving up\n`);
  process.exit(1);
}, options.deadlineMs + 120_000);
backstop.unref();

options.log(`seed ${options.seed} (replay with --seed ${options.seed})`);
const result = await runChaos(options);
process.stdout.write(`${values.json ? JSON.stringify(result, null, 2) : formatReport(result)}\n`);
process.exitCode = result.ok ? 0 : 1;
