import { PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator, PostgresDialect, sql, type Migration, type MigrationProvider } from 'kysely';
import { mkdir } from 'node:fs/promises';
import pg from 'pg';
import type { Logger } from '../logging/index.js';
import { PGliteDialect } from './pglite-dialect.js';

export type { Migration } from 'kysely';

export interface DatabaseOptions {
  /** PostgreSQL connection URL; when unset the service runs on embedded PGlite. */
  readonly url?: string | undefined;
  /** Where PGlite keeps its files (only without `url`). */
  readonly dataDir: string;
  /** Versioned migrations, applied in name order. */
  readonly migrations: Record<string, Migration>;
  /** @default 10 */
  readonly poolSize?: number;
  readonly logger: Logger;
}

export interface Database<DB> {
  readonly db: Kysely<DB>;
  readonly engine: 'postgres' | 'pglite';
  ping(): Promise<void>;
  close(): Promise<void>;
}

class StaticMigrations implements MigrationProvider {
  constructor(private readonly migrations: Record<string, Migration>) {}
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(this.migrations);
  }
}

/**
 * Opens the service's database and brings its schema to the latest version.
 * Kysely's migrator holds a PostgreSQL advisory lock while it runs, so replicas that
 * start together apply each migration exactly once.
 */
export async function openDatabase<DB>(options: DatabaseOptions): Promise<Database<DB>> {
  const { logger } = options;
  let db: Kysely<DB>;
  let engine: Database<DB>['engine'];
  if (options.url) {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10, connectionTimeoutMillis: 5000 });
    pool.on('error', (err) => logger.warn({ err }, 'idle database connection failed'));
    db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    engine = 'postgres';
  } else {
    await mkdir(options.dataDir, { recursive: true });
    const started = Date.now();
    const client = await PGlite.create(options.dataDir);
    logger.info({ dataDir: options.dataDir, ms: Date.now() - started }, 'embedded PostgreSQL (PGlite) opened');
    db = new Kysely<DB>({ dialect: new PGliteDialect(client) });
    engine = 'pglite';
  }

  try {
    const migrator = new Migrator({ db, provider: new StaticMigrations(options.migrations) });
    const { error, results } = await migrator.migrateToLatest();
    for (const r of results ?? []) {
      if (r.status === 'Success') logger.info({ migration: r.migrationName }, 'migration applied');
      else if (r.status === 'Error') logger.error({ migration: r.migrationName }, 'migration failed');
    }
    if (error) throw error instanceof Error ? error : new Error("migration failed", { cause: error });
  } catch (error) {
    await db.destroy();
    throw error;
  }

  let closed = false;
  return {
    db,
    engine,
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}
