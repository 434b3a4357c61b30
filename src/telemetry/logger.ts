import { pino, type Logger } from 'pino';
import type { Config } from '../config.ts';

/**
 * Paths pino blanks wherever they appear in a logged object: secrets must never reach a log line,
 * whatever the call site passes.
 */
export const redactedPaths = [
  'password',
  '*.password',
  'token',
  '*.token',
  'resetToken',
  '*.resetToken',
  '*.passwordResetToken',
  'apiKey',
  '*.apiKey',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  '*.headers["api-key"]',
  '*.headers.cookie',
  'cookie',
  '*.cookie',
  'databaseUrl',
  '*.databaseUrl',
];

/** The process logger: JSON lines, or pretty on a terminal when LOG_FORMAT=auto. */
export function createLogger(options: Config['log'], destination?: NodeJS.WritableStream): Logger {
  const pretty = options.format === 'pretty' || (options.format === 'auto' && process.stdout.isTTY === true && !destination);
  return pino(
    {
      level: options.level,
      redact: { paths: redactedPaths, censor: '[redacted]' },
      base: { service: 'trademachine-worker' },
      timestamp: pino.stdTimeFunctions.isoTime,
      ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'service,pid,hostname' } } } : {}),
    },
    pretty ? undefined : (destination ?? pino.destination(1)),
  );
}
