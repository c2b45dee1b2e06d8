import {
  DomainError,
  ITEM_LIMITS,
  WRITER_ROLES,
  type Caller,
  type CreateItemMessage,
  type ItemDto,
  type ItemPageDto,
  type ListItemsQueryDto,
  type UpdateItemMessage,
} from '@northstar/contracts';
import { randomUUID } from 'node:crypto';
import { decodeCursor, encodeCursor } from '../domain/cursor.js';
import { riceScore } from '../domain/score.js';
import type { ItemRow, ItemsRepository, NewItemRow } from '../repositories/items.repository.js';

export class ItemsService {
  constructor(private readonly items: ItemsRepository) {}

  async create(caller: Caller, dto: CreateItemMessage): Promise<ItemDto> {
    assertWriter(caller);
    const now = new Date();
    const rice = {
      reach: dto.reach ?? null,
      impact: dto.impact ?? null,
      confidence: dto.confidence ?? null,
      effort: dto.effort ?? null,
    };
    const row: NewItemRow = {
      id: randomUUID(),
      organization_id: caller.organizationId,
      title: dto.title,
      description: dto.description ?? '',
      status: dto.status ?? 'idea',
      ...rice,
      score: riceScore(rice),
      created_at: now,
      updated_at: now,
    };
    if (dto.maxItems === undefined) return toDto(await this.items.insert(row));
    const inserted = await this.items.insertWithin(row, dto.maxItems);
    if (!inserted) {
      throw new DomainError('PLAN_LIMIT_REACHED', `The organization's plan allows ${dto.maxItems} items; upgrade to add more`);
    }
    return toDto(inserted);
  }

  async findOne(caller: Caller, id: string): Promise<ItemDto> {
    const row = await this.items.findOne(caller.organizationId, id);
    // Another organization's item is indistinguishable from a missing one.
    if (!row) throw notFound(id);
    return toDto(row);
  }

  async list(caller: Caller, query: ListItemsQueryDto): Promise<ItemPageDto> {
    const limit = query.limit ?? ITEM_LIMITS.pageDefault;
    const rows = await this.items.page(caller.organizationId, {
      limit: limit + 1,
      ...(query.status ? { status: query.status } : {}),
      ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}),
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(toDto),
      nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null,
    };
  }

  async update(caller: Caller, message: UpdateItemMessage): Promise<ItemDto> {
    assertWriter(caller);
    const { id, version, ...change } = message;
    const updated = await this.items.withLockedItem(caller.organizationId, id, async (row, update) => {
      if (row.version !== version) {
        throw new DomainError('VERSION_CONFLICT', `Item ${id} is at version ${row.version}, not ${version}; reload and retry`);
      }
      const rice = {
        reach: change.reach ?? row.reach,
        impact: change.impact ?? row.impact,
        confidence: change.confidence ?? row.confidence,
        effort: change.effort ?? row.effort,
      };
      return update({
        ...(change.title !== undefined ? { title: change.title } : {}),
        ...(change.description !== undefined ? { description: change.description } : {}),
        ...(change.status !== undefined ? { status: change.status } : {}),
        ...rice,
        score: riceScore(rice),
        updated_at: new Date(),
        version: row.version + 1,
      });
    });
    if (!updated) throw notFound(id);
    return toDto(updated);
  }

  async remove(caller: Caller, id: string): Promise<void> {
    assertWriter(caller);
    if (!(await this.items.delete(caller.organizationId, id))) throw notFound(id);
  }
}

function assertWriter(caller: Caller): void {
  if (!WRITER_ROLES.includes(caller.role)) throw new DomainError('FORBIDDEN', `Role ${caller.role} may not change items`);
}

function notFound(id: string): DomainError {
  return new DomainError('ITEM_NOT_FOUND', `Item ${id} not found`);
}

function toDto(row: ItemRow): ItemDto {
  return {
    id: row.id,
    organizationId: row.organization_id,
    title: row.title,
    description: row.description,
    status: row.status,
    reach: row.reach,
    impact: row.impact,
    confidence: row.confidence,
    effort: row.effort,
    score: row.score,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  };
}
