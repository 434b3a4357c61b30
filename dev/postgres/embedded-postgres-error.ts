/** Why the embedded PostgreSQL could not start, for callers that print a hint or branch on it. */
export type EmbeddedPostgresErrorCode =
  | 'PG_PORT_IN_USE'
  | 'PG_DATA_DIR_IN_USE'
  | 'PG_DATA_DIR_UNREACHABLE'
  | 'PG_BINARIES_MISSING'
  | 'PG_BINARIES_UNREACHABLE'
  | 'PG_OS_USER'
  | 'PG_INITDB_FAILED'
  | 'PG_START_FAILED';

/**
 * A condition we expect and can explain (port taken, data folder in use, …): its message is one
 * line saying what and where, meant to be printed as is, without a stack.
 */
export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
  readonly code: EmbeddedPostgresErrorCode;
  constructor(code: EmbeddedPostgresErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
