import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, IsUUID, Length, Max, MaxLength, Min } from 'class-validator';

export const ITEM_STATUSES = ['idea', 'planned', 'in_progress', 'done'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

/** RICE impact uses the usual discrete scale. */
export const IMPACT_VALUES = [0.25, 0.5, 1, 2, 3] as const;

export const ITEM_LIMITS = {
  titleMax: 200,
  descriptionMax: 10_000,
  pageDefault: 20,
  pageMax: 100,
} as const;

export class CreateItemDto {
  @ApiProperty({ minLength: 1, maxLength: ITEM_LIMITS.titleMax, example: 'Single sign-on' })
  @IsString()
  @Length(1, ITEM_LIMITS.titleMax)
  title!: string;

  @ApiPropertyOptional({ maxLength: ITEM_LIMITS.descriptionMax })
  @IsOptional()
  @IsString()
  @MaxLength(ITEM_LIMITS.descriptionMax)
  description?: string;

  @ApiPropertyOptional({ enum: ITEM_STATUSES, default: 'idea' })
  @IsOptional()
  @IsIn(ITEM_STATUSES)
  status?: ItemStatus;

  @ApiPropertyOptional({ description: 'RICE reach: people affected per period', minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000_000)
  reach?: number;

  @ApiPropertyOptional({ description: 'RICE impact', enum: IMPACT_VALUES })
  @IsOptional()
  @IsIn(IMPACT_VALUES)
  impact?: number;

  @ApiPropertyOptional({ description: 'RICE confidence in percent', minimum: 0, maximum: 100 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  confidence?: number;

  @ApiPropertyOptional({ description: 'RICE effort in person-months', minimum: 0.1 })
  @IsOptional()
  @IsNumber({ maxDecimalPlaces: 2 })
  @Min(0.1)
  @Max(10_000)
  effort?: number;
}

/**
 * createItem as the gateway sends it: the body plus the organization's item allowance,
 * read from its plan. Not an HTTP DTO: clients cannot set `maxItems`.
 */
export class CreateItemMessage extends CreateItemDto {
  @IsOptional()
  @IsInt()
  @Min(0)
  maxItems?: number;
}

export class UpdateItemDto {
  @ApiProperty({ description: 'The version the change is based on; a stale one is refused with 409', minimum: 1 })
  @IsInt()
  @Min(1)
  version!: number;

  @ApiPropertyOptional({ minLength: 1, maxLength: ITEM_LIMITS.titleMax })
  @IsOptional()
  @IsString()
  @Length(1, ITEM_LIMITS.titleMax)
  title?: string;

  @ApiPropertyOptional({ maxLength: ITEM_LIMITS.descriptionMax })
  @IsOptional()
  @IsString()
  @MaxLength(ITEM_LIMITS.descriptionMax)
  description?: string;

  @ApiPropertyOptional({ enum: ITEM_STATUSES })
  @IsOptional()
  @IsIn(ITEM_STATUSES)
  status?: ItemStatus;

  @ApiPropertyOptional({ minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000_000)
  reach?: number;

  @ApiPropertyOptional({ enum: IMPACT_VALUES })
  @IsOptional()
  @IsIn(IMPACT_VALUES)
  impact?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 100 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  confidence?: number;

  @ApiPropertyOptional({ minimum: 0.1 })
  @IsOptional()
  @IsNumber({ maxDecimalPlaces: 2 })
  @Min(0.1)
  @Max(10_000)
  effort?: number;
}

export class ListItemsQueryDto {
  @ApiPropertyOptional({ enum: ITEM_STATUSES })
  @IsOptional()
  @IsIn(ITEM_STATUSES)
  status?: ItemStatus;

  @ApiPropertyOptional({ minimum: 1, maximum: ITEM_LIMITS.pageMax, default: ITEM_LIMITS.pageDefault })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(ITEM_LIMITS.pageMax)
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque cursor from a previous page\'s nextCursor' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class ItemIdDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id!: string;
}

/** updateItem carries the id next to the change. */
export class UpdateItemMessage extends UpdateItemDto {
  @IsUUID()
  id!: string;
}

export class ItemDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) organizationId!: string;
  @ApiProperty() title!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ enum: ITEM_STATUSES }) status!: ItemStatus;
  @ApiProperty({ type: Number, nullable: true }) reach!: number | null;
  @ApiProperty({ type: Number, nullable: true }) impact!: number | null;
  @ApiProperty({ type: Number, nullable: true }) confidence!: number | null;
  @ApiProperty({ type: Number, nullable: true }) effort!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'reach × impact × confidence% ÷ effort, when all four are set' })
  score!: number | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ minimum: 1 }) version!: number;
}

export class ItemPageDto {
  @ApiProperty({ type: [ItemDto] }) items!: ItemDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
