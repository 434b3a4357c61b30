/**
 * Extra "owner migrations" for the drift tests: each one change the owner could make next, as the
 * SQL its migration would run against the stand-in's schema.
 */

/** Drops the primary key of `table` whatever its legacy hash name. */
const dropPrimaryKey = (table: string) => `
  DO $$ BEGIN
    EXECUTE (SELECT format('ALTER TABLE %I DROP CONSTRAINT %I', '${table}', conname)
               FROM pg_constraint WHERE conrelid = '"${table}"'::regclass AND contype = 'p');
  END $$;`;

/**
 * The unique index of `table` on exactly `columns` (in order), as a regclass expression: the owner
 * enforces uniqueness with CREATE UNIQUE INDEX under legacy hash names, so it is found by columns.
 */
const uniqueIndexOn = (table: string, columns: readonly string[]) => `
  (SELECT i.indexrelid::regclass FROM pg_index i
    WHERE i.indrelid = '"${table}"'::regclass AND i.indisunique AND NOT i.indisprimary
      AND ARRAY(SELECT a.attname::text FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.ord)
          = ARRAY[${columns.map((c) => `'${c}'`).join(', ')}])`;

/** Drops the unique index of `table` on `columns`, as the owner's migration would (DROP INDEX "UQ_…"). */
const dropUniqueIndex = (table: string, columns: readonly string[]) => `
  DO $$ BEGIN
    EXECUTE format('DROP INDEX %s', ${uniqueIndexOn(table, columns)});
  END $$;`;

export const ownerMigrations = {
  droppedColumn: `ALTER TABLE team DROP COLUMN "espnTeam";`,
  renamedColumn: `ALTER TABLE "user" RENAME COLUMN "displayName" TO "publicName";`,
  safeTypeChange: `ALTER TABLE email ALTER COLUMN status TYPE text;`,
  lengthLimit: `ALTER TABLE sync_job_execution ALTER COLUMN "traceId" TYPE character varying(16);`,
  unsafeTypeChange: `ALTER TABLE sync_job_execution ALTER COLUMN "startedAt" TYPE timestamp with time zone;`,
  // The owner's columns re-declared as bare timestamp, its default precision: the same type.
  bareTimestamps: `
    ALTER TABLE sync_job_execution ALTER COLUMN "startedAt" TYPE timestamp, ALTER COLUMN "completedAt" TYPE timestamp without time zone;
    ALTER TABLE team ALTER COLUMN "lastSyncedAt" TYPE timestamp, ALTER COLUMN "dateModified" TYPE timestamp;`,
  lowerPrecision: `ALTER TABLE sync_job_execution ALTER COLUMN "startedAt" TYPE timestamp(3) without time zone;`,
  nullable: `ALTER TABLE "user" ALTER COLUMN email DROP NOT NULL;`,
  removedEnumLabel: `
    ALTER TYPE "SyncJobStatus" RENAME TO "SyncJobStatus_old";
    CREATE TYPE "SyncJobStatus" AS ENUM ('started', 'completed');
    ALTER TABLE sync_job_execution ALTER COLUMN status TYPE "SyncJobStatus" USING status::text::"SyncJobStatus";
    DROP TYPE "SyncJobStatus_old";`,
  renamedEnumLabel: `ALTER TYPE "SyncJobType" RENAME VALUE 'espn_team_sync' TO 'espn_teams_sync';`,
  addedEnumLabel: `ALTER TYPE draft_pick_type_enum ADD VALUE '4';`,
  // Uniqueness the owner enforces with a unique index (not a constraint) goes away.
  droppedUniqueKey: dropUniqueIndex('team', ['espnId']),
  droppedPrimaryKey: dropPrimaryKey('email'),
  // Unique indexes an ON CONFLICT ("espnId") cannot use: one only for some rows, one with an expression.
  partialUniqueKey: `${dropUniqueIndex('team', ['espnId'])}
    CREATE UNIQUE INDEX "UQ_1f0e2d3c4b5a69788796a5b4c3d" ON team ("espnId") WHERE "espnId" IS NOT NULL;`,
  expressionUniqueKey: `${dropUniqueIndex('team', ['espnId'])}
    CREATE UNIQUE INDEX "UQ_2a1b0c9d8e7f60514233241506f" ON team ("espnId", lower(name));`,
  newNotNullColumn: `ALTER TABLE email ADD COLUMN "provider" character varying NOT NULL;`,
  droppedView: `DROP VIEW hydrated_trades;`,
  changedViewColumnType: `
    ALTER VIEW hydrated_trades RENAME TO hydrated_trades_v1;
    CREATE VIEW hydrated_trades AS
    SELECT "tradeId", "dateCreated", "tradeStatus", "tradeCreator",
           array_to_string("tradeRecipients", ', ') AS "tradeRecipients",
           "decliningUser", "declinedReason", "acceptingUsers", "acceptedOnDate",
           "tradedMajors", "tradedMinors", "tradedPicks", "acceptedByDetails"
      FROM hydrated_trades_v1;`,
  // oban_jobs: the owner's Oban tables changing under the inbox.
  droppedObanColumn: `ALTER TABLE oban_jobs DROP COLUMN attempted_by;`,
  // The classic enum swap (as 0005 did), this time without 'cancelled'.
  removedObanLabel: `
    ALTER TYPE oban_job_state RENAME TO oban_job_state_old;
    CREATE TYPE oban_job_state AS ENUM ('available', 'scheduled', 'executing', 'retryable', 'completed', 'discarded');
    ALTER TABLE oban_jobs ALTER COLUMN state DROP DEFAULT;
    ALTER TABLE oban_jobs ALTER COLUMN state TYPE oban_job_state USING state::text::oban_job_state;
    ALTER TABLE oban_jobs ALTER COLUMN state SET DEFAULT 'available';
    DROP TYPE oban_job_state_old;`,
  addedObanLabel: `ALTER TYPE oban_job_state ADD VALUE 'suspended';`,
  widenedObanAttempt: `ALTER TABLE oban_jobs ALTER COLUMN attempt TYPE bigint;`,
  // A newer Oban's columns: the owner inserts the rows, so even a NOT NULL one with no default breaks nothing here.
  addedObanColumns: `
    ALTER TABLE oban_jobs ADD COLUMN suspended_at timestamp(6) without time zone;
    ALTER TABLE oban_jobs ADD COLUMN partition_key text NOT NULL;`,
  unrelated: `
    CREATE TABLE trade_comment (id uuid PRIMARY KEY, "tradeId" uuid REFERENCES trade(id), body text NOT NULL);
    ALTER TABLE "user" DROP COLUMN "slackUsername";
    ALTER TABLE email ADD COLUMN "openedAt" timestamp without time zone;
    ALTER TABLE sync_job_execution ADD COLUMN attempt integer NOT NULL DEFAULT 1;
    ALTER TYPE trade_status_enum ADD VALUE '7';
    CREATE INDEX "IDX_team_name" ON team (name);`,
} as const;

export type OwnerMigrationName = keyof typeof ownerMigrations;
