import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  CreateItemDto,
  ItemDto,
  PLAN_LIMITS,
  ItemPageDto,
  ListItemsQueryDto,
  ROADMAP_PATTERNS,
  UpdateItemDto,
  WRITER_ROLES,
  type Caller,
  type CreateItemMessage,
  type ItemIdDto,
  type UpdateItemMessage,
} from '@northstar/contracts';
import { CurrentCaller, Roles } from '../auth/auth.decorators.js';
import { RoadmapClient } from '../clients/downstream.js';
import { PlanCache } from '../organization/plan-cache.js';
import { UuidParam } from '../http/uuid-param.js';

@ApiTags('items')
@ApiBearerAuth()
@Controller('items')
export class ItemsController {
  constructor(
    private readonly roadmap: RoadmapClient,
    private readonly plans: PlanCache,
  ) {}

  @Post()
  @Roles(...WRITER_ROLES)
  @ApiCreatedResponse({ type: ItemDto, description: "Refused with 403 PLAN_LIMIT_REACHED when the organization's plan allows no more items" })
  async create(@CurrentCaller() caller: Caller, @Body() body: CreateItemDto): Promise<ItemDto> {
    // From PlanCache: a change this replica's webhook forwarded applies as soon as identity has
    // it, one another replica forwarded within PLAN_CACHE_TTL_MS.
    const { maxItems } = PLAN_LIMITS[await this.plans.planOf(caller)];
    const message: CreateItemMessage = maxItems === null ? { ...body } : { ...body, maxItems };
    return this.roadmap.send(ROADMAP_PATTERNS.createItem, message, caller);
  }

  @Get()
  @ApiOkResponse({ type: ItemPageDto })
  list(@CurrentCaller() caller: Caller, @Query() query: ListItemsQueryDto): Promise<ItemPageDto> {
    return this.roadmap.send(ROADMAP_PATTERNS.findAllItems, query, caller);
  }

  @Get(':id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ItemDto, description: "Another organization's item is a 404" })
  findOne(@CurrentCaller() caller: Caller, @UuidParam('id') id: string): Promise<ItemDto> {
    const message: ItemIdDto = { id };
    return this.roadmap.send(ROADMAP_PATTERNS.findOneItem, message, caller);
  }

  @Patch(':id')
  @Roles(...WRITER_ROLES)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ItemDto, description: 'A stale version is refused with 409' })
  update(@CurrentCaller() caller: Caller, @UuidParam('id') id: string, @Body() body: UpdateItemDto): Promise<ItemDto> {
    const message: UpdateItemMessage = { ...body, id };
    return this.roadmap.send(ROADMAP_PATTERNS.updateItem, message, caller);
  }

  @Delete(':id')
  @Roles(...WRITER_ROLES)
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse()
  async remove(@CurrentCaller() caller: Caller, @UuidParam('id') id: string): Promise<void> {
    const message: ItemIdDto = { id };
    await this.roadmap.send(ROADMAP_PATTERNS.deleteItem, message, caller);
  }
}
