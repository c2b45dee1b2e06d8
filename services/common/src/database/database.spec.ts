import { afterEach, describe, expect, it } from '@jest/globals';
import { sql, type Generated, type Kysely } from 'kysely';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../logging/index.js';
import { openDatabase, type Database } from './database.js';

interface Schema {
  notes: { id: Generated<number>; body: string };
}

const migrations = {
  '0001_notes': {
    async up(db: Kysely<unknown>) {
      await db.schema.createTable('notes').addColumn('id', 'serial', (c) => c.primaryKey()).addColumn('body', 'text', (c) => c.notNull()).execute();
    },
  },
};

const logger = createLogger('test', 'silent');
const dirs: string[] = [];
const open: Database<Schema>[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((d) => d.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function embedded(dataDir?: string): Promise<{ database: Database<Schema>; dataDir: string }> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'ns-db-')));
  if (!dataDir) dirs.push(dir);
  const database = await openDatabase<Schema>({ dataDir: dir, migrations, logger });
  open.push(database);
  return { database, dataDir: dir };
}

describe('openDatabase on PGlite', () => {
  it('migrates, and keeps rows across a reopen of the same data directory', async () => {
    const first = await embedded();
    await first.database.db.insertInto('notes').values({ body: 'kept' }).execute();
    await first.database.close();

    const second = await embedded(first.dataDir);
    const rows = await second.database.db.selectFrom('notes').select('body').execute();
    expect(rows).toEqual([{ body: 'kept' }]);
    expect(second.database.engine).toBe('pglite');
  }, 30_000);

  it('serialises concurrent transactions on the single embedded connection', async () => {
    const { database } = await embedded();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        database.db.transaction().execute(async (trx) => {
          await trx.insertInto('notes').values({ body: `n${i}` }).execute();
          await sql`select pg_sleep(0.001)`.execute(trx);
        }),
      ),
    );
    const count = await database.db.selectFrom('notes').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(20);
  }, 30_000);

  it('rolls back a failed transaction', async () => {
    const { database } = await embedded();
    await expect(
      database.db.transaction().execute(async (trx) => {
        await trx.insertInto('notes').values({ body: 'gone' }).execute();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await database.db.selectFrom('notes').selectAll().execute()).toEqual([]);
  }, 30_000);
});
