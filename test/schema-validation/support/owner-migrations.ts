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

export const ownerMigrations = {
  droppedColumn: `ALTER TABLE team DROP COLUMN "espnTeam";`,
  renamedColumn: `ALTER TABLE "user" RENAME COLUMN "displayName" TO "publicName";`,
  safeTypeChange: `ALTER TABLE email ALTER COLUMN status TYPE text;`,
  lengthLimit: `ALTER TABLE sync_job_execution ALTER COLUMN "traceId" TYPE character varying(16);`,
  unsafeTypeChange: `ALTER TABLE sync_job_execution ALTER COLUMN "startedAt" TYPE timestamp with time zone;`,
  nullable: `ALTER TABLE "user" ALTER COLUMN email DROP NOT NULL;`,
  removedEnumLabel: `
    ALTER TYPE "SyncJobStatus" RENAME TO "SyncJobStatus_old";
    CREATE TYPE "SyncJobStatus" AS ENUM ('started', 'completed');
    ALTER TABLE sync_job_execution ALTER COLUMN status TYPE "SyncJobStatus" USING status::text::"SyncJobStatus";
    DROP TYPE "SyncJobStatus_old";`,
  renamedEnumLabel: `ALTER TYPE "SyncJobType" RENAME VALUE 'espn_team_sync' TO 'espn_teams_sync';`,
  addedEnumLabel: `ALTER TYPE draft_pick_type_enum ADD VALUE '4';`,
  droppedUniqueKey: dropPrimaryKey('email'),
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
  unrelated: `
    CREATE TABLE trade_comment (id uuid PRIMARY KEY, "tradeId" uuid REFERENCES trade(id), body text NOT NULL);
    ALTER TABLE "user" DROP COLUMN "slackUsername";
    ALTER TABLE email ADD COLUMN "openedAt" timestamp without time zone;
    ALTER TABLE sync_job_execution ADD COLUMN attempt integer NOT NULL DEFAULT 1;
    ALTER TYPE trade_status_enum ADD VALUE '7';
    CREATE INDEX "IDX_team_name" ON team (name);`,
} as const;

export type OwnerMigrationName = keyof typeof ownerMigrations;
