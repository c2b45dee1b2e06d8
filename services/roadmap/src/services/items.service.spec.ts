import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger, openDatabase, type Database } from '@northstar/common';
import type { Caller } from '@northstar/contracts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrations } from '../migrations/index.js';
import { ItemsRepository, type RoadmapSchema } from '../repositories/items.repository.js';
import { ItemsService } from './items.service.js';

let dir: string;
let database: Database<RoadmapSchema>;
let items: ItemsService;

const acme: Caller = { userId: '11111111-1111-4111-8111-111111111111', organizationId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', role: 'member' };
const globex: Caller = { userId: '22222222-2222-4222-8222-222222222222', organizationId: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', role: 'owner' };
const acmeViewer: Caller = { ...acme, userId: '33333333-3333-4333-8333-333333333333', role: 'viewer' };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'roadmap-'));
  database = await openDatabase<RoadmapSchema>({ dataDir: dir, migrations, logger: createLogger('roadmap', 'silent') });
  items = new ItemsService(new ItemsRepository(database));
}, 30_000);

afterAll(async () => {
  await database.close();
  await rm(dir, { recursive: true, force: true });
});

describe('ItemsService', () => {
  it('creates an item with defaults and a RICE score', async () => {
    const item = await items.create(acme, { title: 'SSO', reach: 500, impact: 2, confidence: 80, effort: 4 });
    expect(item).toMatchObject({ title: 'SSO', description: '', status: 'idea', score: 200, version: 1, organizationId: acme.organizationId });
    expect(item.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('hides another organization\'s item as not found, for read, update and delete', async () => {
    const item = await items.create(acme, { title: 'secret plan' });
    await expect(items.findOne(globex, item.id)).rejects.toMatchObject({ code: 'ITEM_NOT_FOUND' });
    await expect(items.update(globex, { id: item.id, version: 1, title: 'mine' })).rejects.toMatchObject({ code: 'ITEM_NOT_FOUND' });
    await expect(items.remove(globex, item.id)).rejects.toMatchObject({ code: 'ITEM_NOT_FOUND' });
    await expect(items.findOne(acme, item.id)).resolves.toMatchObject({ title: 'secret plan' });
  });

  it('refuses a stale version with a conflict and bumps the version on success', async () => {
    const item = await items.create(acme, { title: 'v1', reach: 100, impact: 1, confidence: 100, effort: 1 });
    const v2 = await items.update(acme, { id: item.id, version: 1, status: 'planned', effort: 2 });
    expect(v2).toMatchObject({ version: 2, status: 'planned', title: 'v1', score: 50 });
    await expect(items.update(acme, { id: item.id, version: 1, title: 'late' })).rejects.toMatchObject({ code: 'VERSION_CONFLICT', status: 409 });
  });

  it('lets two concurrent updates from the same version succeed once', async () => {
    const item = await items.create(acme, { title: 'race' });
    const results = await Promise.allSettled([
      items.update(acme, { id: item.id, version: 1, title: 'a' }),
      items.update(acme, { id: item.id, version: 1, title: 'b' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
  });

  it('pages newest first with a cursor and filters by status', async () => {
    const org: Caller = { ...acme, organizationId: 'cccccccc-cccc-4ccc-8ccc-cccccccccccc' };
    for (let i = 0; i < 5; i++) {
      await items.create(org, { title: `item ${i}`, status: i % 2 === 0 ? 'idea' : 'done' });
      // Items created in the same millisecond are ordered by id, not by creation: keep them apart.
      await new Promise((r) => setTimeout(r, 3));
    }
    const first = await items.list(org, { limit: 2 });
    expect(first.items.map((i) => i.title)).toEqual(['item 4', 'item 3']);
    const second = await items.list(org, { limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((i) => i.title)).toEqual(['item 2', 'item 1']);
    const third = await items.list(org, { limit: 2, cursor: second.nextCursor! });
    expect(third.items.map((i) => i.title)).toEqual(['item 0']);
    expect(third.nextCursor).toBeNull();
    const done = await items.list(org, { status: 'done' });
    expect(done.items.map((i) => i.title)).toEqual(['item 3', 'item 1']);
  });

  it('lets a viewer read but not write', async () => {
    const item = await items.create(acme, { title: 'readable' });
    await expect(items.findOne(acmeViewer, item.id)).resolves.toMatchObject({ title: 'readable' });
    await expect(items.create(acmeViewer, { title: 'nope' })).rejects.toMatchObject({ code: 'FORBIDDEN', status: 403 });
    await expect(items.remove(acmeViewer, item.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refuses an item beyond the plan\'s allowance, counting only the caller\'s organization', async () => {
    const small: Caller = { ...acme, organizationId: 'dddddddd-dddd-4ddd-8ddd-dddddddddddd' };
    await items.create(small, { title: 'one', maxItems: 2 });
    await items.create(small, { title: 'two', maxItems: 2 });
    await expect(items.create(small, { title: 'three', maxItems: 2 })).rejects.toMatchObject({ code: 'PLAN_LIMIT_REACHED', status: 403 });
    await expect(items.create(small, { title: 'three', maxItems: 3 })).resolves.toMatchObject({ title: 'three' });
  });

  it('deletes, after which the item is gone', async () => {
    const item = await items.create(acme, { title: 'temporary' });
    await items.remove(acme, item.id);
    await expect(items.findOne(acme, item.id)).rejects.toMatchObject({ code: 'ITEM_NOT_FOUND' });
    await expect(items.remove(acme, item.id)).rejects.toMatchObject({ code: 'ITEM_NOT_FOUND' });
  });
});
