import type { Database } from '@northstar/common';
import type { ItemStatus } from '@northstar/contracts';
import { sql, type Generated, type Insertable, type Kysely, type Selectable, type Transaction, type Updateable } from 'kysely';
import type { PageCursor } from '../domain/cursor.js';

export interface ItemsTable {
  id: string;
  organization_id: string;
  title: string;
  description: Generated<string>;
  status: ItemStatus;
  reach: number | null;
  impact: number | null;
  confidence: number | null;
  effort: number | null;
  score: number | null;
  created_at: Date;
  updated_at: Date;
  version: Generated<number>;
}

export interface RoadmapSchema {
  items: ItemsTable;
}

export type ItemRow = Selectable<ItemsTable>;
export type NewItemRow = Insertable<ItemsTable>;
export type ItemChange = Updateable<ItemsTable>;

export const ITEMS_DATABASE = Symbol('ITEMS_DATABASE');

/** The only code that touches the items table. Every query is scoped to one organization. */
export class ItemsRepository {
  constructor(private readonly database: Database<RoadmapSchema>) {}

  private get db(): Kysely<RoadmapSchema> {
    return this.database.db;
  }

  async insert(row: NewItemRow): Promise<ItemRow> {
    return this.db.insertInto('items').values(row).returningAll().executeTakeFirstOrThrow();
  }

  /**
   * Inserts unless the organization already has `maxItems` items. A transaction-scoped
   * advisory lock per organization makes count-then-insert atomic across replicas.
   */
  async insertWithin(row: NewItemRow, maxItems: number): Promise<ItemRow | undefined> {
    return this.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext(${row.organization_id}))`.execute(trx);
      const { n } = await trx
        .selectFrom('items')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('organization_id', '=', row.organization_id)
        .executeTakeFirstOrThrow();
      if (Number(n) >= maxItems) return undefined;
      return trx.insertInto('items').values(row).returningAll().executeTakeFirstOrThrow();
    });
  }

  async findOne(organizationId: string, id: string): Promise<ItemRow | undefined> {
    return this.db.selectFrom('items').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
  }

  /** Newest first, `limit` rows after `after`. */
  async page(organizationId: string, options: { status?: ItemStatus; after?: PageCursor; limit: number }): Promise<ItemRow[]> {
    let query = this.db.selectFrom('items').selectAll().where('organization_id', '=', organizationId);
    if (options.status) query = query.where('status', '=', options.status);
    const after = options.after;
    if (after) query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(after.createdAt, after.id)));
    return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
  }

  /** Runs `fn` with the item locked against concurrent changes; undefined when it does not exist. */
  async withLockedItem<T>(
    organizationId: string,
    id: string,
    fn: (row: ItemRow, update: (change: ItemChange) => Promise<ItemRow>) => Promise<T>,
  ): Promise<T | undefined> {
    return this.db.transaction().execute(async (trx: Transaction<RoadmapSchema>) => {
      const row = await trx
        .selectFrom('items')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (!row) return undefined;
      return fn(row, (change) =>
        trx.updateTable('items').set(change).where('id', '=', id).where('organization_id', '=', organizationId).returningAll().executeTakeFirstOrThrow(),
      );
    });
  }

  async delete(organizationId: string, id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('items').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
