/**
 * Reads what the drift check compares from a live schema's catalogs: enums, tables and views with
 * their columns, and the keys an ON CONFLICT can name. A runtime copy (narrower, no foreign keys)
 * of test/fixtures/owner-schema/read-live-schema.ts, since runtime code never imports from test/.
 */
import type pg from 'pg';

export type Queryable = pg.Pool | pg.ClientBase;

export interface LiveColumn {
  /** format_type() spelling (`character varying(40)`, `jsonb`); enums by bare name, arrays as `name[]`. */
  readonly type: string;
  readonly nullable: boolean;
  /** A default, an identity or a generated column: an insert may leave it out. */
  readonly filledByDatabase: boolean;
}

export interface LiveRelation {
  readonly columns: Readonly<Record<string, LiveColumn>>;
  /** The primary key and every unique index an ON CONFLICT on plain columns can use, as column lists. */
  readonly uniqueKeys: readonly (readonly string[])[];
}

export interface LiveSchema {
  readonly enums: Readonly<Record<string, readonly string[]>>;
  readonly tables: Readonly<Record<string, LiveRelation>>;
  readonly views: Readonly<Record<string, LiveRelation>>;
}

// Enum (and array-of-enum) types by bare name, so they match the enum keys: format_type() quotes
// "SyncJobType" and may schema-qualify types outside the search_path.
const COLUMNS_SQL = `
  SELECT c.relname::text AS relation,
         c.relkind::text AS kind,
         a.attname::text AS name,
         CASE WHEN t.typtype = 'e' THEN t.typname::text
              WHEN t.typcategory = 'A' AND et.typtype = 'e' THEN et.typname::text || '[]'
              ELSE format_type(a.atttypid, a.atttypmod) END AS type,
         NOT a.attnotnull AS nullable,
         (a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '') AS "filledByDatabase"
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    JOIN pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_type et ON et.oid = t.typelem
   WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
   ORDER BY c.relname, a.attnum`;

const ENUMS_SQL = `
  SELECT t.typname::text AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
    FROM pg_type t
    JOIN pg_namespace n ON n.oid = t.typnamespace
    JOIN pg_enum e ON e.enumtypid = t.oid
   WHERE n.nspname = $1
   GROUP BY t.typname`;

// The keys ON CONFLICT (cols) can infer, read from pg_index: the owner declares uniqueness with
// CREATE UNIQUE INDEX (no constraint in pg_constraint), and every UNIQUE or PRIMARY KEY constraint
// is backed by such an index too, so this one query finds both. Left out, as PostgreSQL's arbiter
// inference leaves them out for a plain column list: partial indexes (indpred), indexes with an
// expression column (indexprs; indkey holds 0 there), deferrable constraints (NOT indimmediate)
// and indexes still being built (NOT indisvalid). INCLUDE columns are not key columns.
const UNIQUE_SQL = `
  SELECT c.relname::text AS relation,
         ARRAY(SELECT a.attname::text
                 FROM unnest(i.indkey[0:i.indnkeyatts - 1]) WITH ORDINALITY AS k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                ORDER BY k.ord) AS columns
    FROM pg_index i
    JOIN pg_class c ON c.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = $1 AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
     AND i.indimmediate AND i.indisvalid
   ORDER BY c.relname, i.indexrelid`;

interface ColumnRow { relation: string; kind: string; name: string; type: string; nullable: boolean; filledByDatabase: boolean }
interface EnumRow { name: string; labels: string[] }
interface UniqueRow { relation: string; columns: string[] }

/** Whether the schema exists at all: a check against a missing schema cannot say anything. */
export async function schemaExists(client: Queryable, schema: string): Promise<boolean> {
  const { rows } = await client.query<{ found: boolean }>('SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS found', [schema]);
  return rows[0]?.found === true;
}

/** Reads the enums, tables, views, columns and unique keys of one schema. */
export async function readLiveSchema(client: Queryable, schema: string): Promise<LiveSchema> {
  // One after the other: `client` may be a single connection.
  const columns = await client.query<ColumnRow>(COLUMNS_SQL, [schema]);
  const enums = await client.query<EnumRow>(ENUMS_SQL, [schema]);
  const uniques = await client.query<UniqueRow>(UNIQUE_SQL, [schema]);
  const tables: Record<string, { columns: Record<string, LiveColumn>; uniqueKeys: string[][] }> = {};
  const views: Record<string, { columns: Record<string, LiveColumn>; uniqueKeys: string[][] }> = {};
  for (const row of columns.rows) {
    const into = row.kind === 'v' || row.kind === 'm' ? views : tables;
    const relation = (into[row.relation] ??= { columns: {}, uniqueKeys: [] });
    relation.columns[row.name] = { type: row.type, nullable: row.nullable, filledByDatabase: row.filledByDatabase };
  }
  for (const row of uniques.rows) tables[row.relation]?.uniqueKeys.push(row.columns);
  return { enums: Object.fromEntries(enums.rows.map((row) => [row.name, row.labels])), tables, views };
}
