import { sql, type Kysely, type Migration } from 'kysely';

export const items: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('items')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('organization_id', 'uuid', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('idea', 'planned', 'in_progress', 'done')`))
      .addColumn('reach', 'integer')
      .addColumn('impact', 'double precision')
      .addColumn('confidence', 'integer')
      .addColumn('effort', 'double precision')
      .addColumn('score', 'double precision')
      .addColumn('created_at', 'timestamptz', (c) => c.notNull())
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    // Every query is scoped to one organization and pages newest first.
    await db.schema.createIndex('items_org_created').on('items').columns(['organization_id', 'created_at desc', 'id desc']).execute();
    await db.schema
      .createIndex('items_org_status_created')
      .on('items')
      .columns(['organization_id', 'status', 'created_at desc', 'id desc'])
      .execute();
  },
};
