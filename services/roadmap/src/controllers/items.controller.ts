import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { MessageCaller, MessageData } from '@northstar/common';
import {
  CreateItemMessage,
  ItemIdDto,
  ListItemsQueryDto,
  ROADMAP_PATTERNS,
  UpdateItemMessage,
  type Caller,
  type ItemDto,
  type ItemPageDto,
} from '@northstar/contracts';
import { ItemsService } from '../services/items.service.js';

@Controller()
export class ItemsController {
  constructor(private readonly items: ItemsService) {}

  @MessagePattern(ROADMAP_PATTERNS.createItem)
  create(@MessageCaller() caller: Caller, @MessageData() dto: CreateItemMessage): Promise<ItemDto> {
    return this.items.create(caller, dto);
  }

  @MessagePattern(ROADMAP_PATTERNS.findAllItems)
  findAll(@MessageCaller() caller: Caller, @MessageData() query: ListItemsQueryDto): Promise<ItemPageDto> {
    return this.items.list(caller, query);
  }

  @MessagePattern(ROADMAP_PATTERNS.findOneItem)
  findOne(@MessageCaller() caller: Caller, @MessageData() dto: ItemIdDto): Promise<ItemDto> {
    return this.items.findOne(caller, dto.id);
  }

  @MessagePattern(ROADMAP_PATTERNS.updateItem)
  update(@MessageCaller() caller: Caller, @MessageData() message: UpdateItemMessage): Promise<ItemDto> {
    return this.items.update(caller, message);
  }

  @MessagePattern(ROADMAP_PATTERNS.deleteItem)
  async remove(@MessageCaller() caller: Caller, @MessageData() dto: ItemIdDto): Promise<{ deleted: true }> {
    await this.items.remove(caller, dto.id);
    return { deleted: true };
  }

  @MessagePattern(ROADMAP_PATTERNS.ping)
  ping(): { ok: true } {
    return { ok: true };
  }
}
