import { pino, type Logger } from 'pino';
import type { Config } from '../config.ts';

/** What a secret is replaced with in a log line or a shown config. */
export const REDACTED = '[redacted]';

/**
 * Keys whose values are secrets wherever they appear, at any depth: passwords, tokens, API keys,
 * auth and cookie headers, ESPN's cookies, database URLs. Matched case-insensitively on the whole key.
 */
const secretKey =
  /^(?:.*(?:password|passwd|secret|token|api[-_]?key|authorization|cookie|connection[-_]?string|database[-_]?url)|s2|espn[-_]?s2|swid|x-api-key|set-cookie)$/i;

/**
 * Secrets inside free text (messages, error bodies, REPL input), found by their shape, so they are
 * caught even when the caller never said which values are secret.
 */
const secretPatterns: readonly (readonly [RegExp, string])[] = [
  // Credentials in a URL: postgres://user:pass@host → postgres://user:***@host
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi, '$1***@'],
  // Tokens and keys in a query string: /reset?token=… , &api_key=…
  [/([?&](?:[a-z0-9_-]*token|api[-_]?key|key|code|sig|signature|password|secret)=)[^&#\s"'<>]+/gi, `$1${REDACTED}`],
  // ESPN's cookies, however they are quoted: espn_s2=…; SWID={…}
  [/\b(espn_s2|swid)=[^;\s"',&]+/gi, `$1=${REDACTED}`],
  // Authorization schemes: Bearer …, Basic …
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{16,}/g, `$1 ${REDACTED}`],
  // Provider keys recognisable by their prefix (Brevo)
  [/\bxkeysib-[A-Za-z0-9-]{16,}/g, REDACTED],
  // Header-shaped text: "api-key": "…", api-key: …
  [/\b((?:x-)?api[-_]?key["']?\s*[:=]\s*["']?)[^\s"',;}]+/gi, `$1${REDACTED}`],
];

/** Secrets shorter than this are not searched for by value: too likely to match innocent text. */
const MIN_SECRET_LENGTH = 6;

/**
 * Replaces every secret in a string: the known secret values (also URL-encoded, as a SWID's braces
 * are in a URL) and anything shaped like one.
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= MIN_SECRET_LENGTH && result.includes(secret)) result = result.split(secret).join(REDACTED);
  }
  for (const [pattern, replacement] of secretPatterns) result = result.replace(pattern, replacement);
  return result;
}

/**
 * A deep copy of a value with secrets removed: values under a secret key become [redacted], every
 * string is passed through redactText. For log lines and for showing the config in the REPL.
 */
export function redactSecrets<T>(value: T, secrets: readonly string[] = []): T {
  const seen = new WeakSet<object>();
  const walk = (inner: unknown, depth: number): unknown => {
    if (typeof inner === 'string') return redactText(inner, secrets);
    if (inner === null || typeof inner !== 'object') return inner;
    if (seen.has(inner) || depth > 20) return '[circular or too deep]';
    seen.add(inner);
    if (Array.isArray(inner)) return inner.map((item) => walk(item, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(inner)) {
      out[key] = secretKey.test(key) && item !== undefined && item !== null ? REDACTED : walk(item, depth + 1);
    }
    return out;
  };
  return walk(value, 0) as T;
}

/**
 * The secret values of a config, for value-based redaction: ESPN's cookies, the provider keys and
 * the OTLP export headers (collector API keys).
 * Database passwords only ever travel inside connection URLs, which the URL rule masks (keeping
 * the rest of the URL readable, and a password like "postgres" from blanking every such word).
 */
export function secretValues(config: Config): string[] {
  const values: string[] = [];
  const { s2, swid } = config.espn;
  const { brevo, mailgun } = config.email;
  const otlpHeaders = Object.values(config.tracing.exporter?.headers ?? {});
  for (const value of [s2, swid, brevo.apiKey, mailgun.apiKey, ...otlpHeaders]) {
    if (value) values.push(value, encodeURIComponent(value));
  }
  return [...new Set(values)].sort((a, b) => b.length - a.length);
}

/**
 * Scrubs one finished JSON log line: the single choke point every line passes through (messages,
 * child bindings, serialized errors with their causes and bodies, objects at any depth).
 */
function redactLine(line: string, secrets: readonly string[]): string {
  try {
    return `${JSON.stringify(redactSecrets(JSON.parse(line) as unknown, secrets))}\n`;
  } catch {
    return redactText(line, secrets);
  }
}

export interface LoggerExtras {
  /** Where JSON lines go instead of stdout (tests capture them). */
  readonly destination?: NodeJS.WritableStream | undefined;
  /** Secret values to remove wherever they appear; `secretValues(config)`. Shape-based redaction applies regardless. */
  readonly secrets?: readonly string[] | undefined;
}

/**
 * The process logger: JSON lines, or pretty on a terminal when LOG_FORMAT=auto. Every line is
 * scrubbed of secrets before it is written, whatever the call site passed.
 */
export function createLogger(options: Config['log'], destinationOrExtras?: NodeJS.WritableStream | LoggerExtras): Logger {
  const extras: LoggerExtras = isStream(destinationOrExtras) ? { destination: destinationOrExtras } : (destinationOrExtras ?? {});
  const destination = extras.destination;
  const secrets = extras.secrets ?? [];
  const pretty = options.format === 'pretty' || (options.format === 'auto' && process.stdout.isTTY === true && !destination);
  return pino(
    {
      level: options.level,
      base: { service: 'trademachine-worker' },
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: { streamWrite: (line) => redactLine(line, secrets) },
      ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'service,pid,hostname' } } } : {}),
    },
    pretty ? undefined : (destination ?? pino.destination(1)),
  );
}

function isStream(value: unknown): value is NodeJS.WritableStream {
  return typeof value === 'object' && value !== null && typeof (value as { write?: unknown }).write === 'function';
}
