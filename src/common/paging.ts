import { type Type as ClassType } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';

/** Offset paging of the list routes (issue 21): one page size for all of them, so an integrator learns it once. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
export const SORT_ORDERS = ['asc', 'desc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

/** `limit`, `offset` and `order` of every paged list; each list adds its own `sort` whitelist. */
export class PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', description: '每页条数 Items per page', default: DEFAULT_PAGE_SIZE, minimum: 1, maximum: MAX_PAGE_SIZE, example: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(MAX_PAGE_SIZE, { message: `limit must be at most ${MAX_PAGE_SIZE}` })
  limit: number = DEFAULT_PAGE_SIZE;

  @ApiPropertyOptional({ type: 'integer', description: '跳过的条数（分页）How many matching items to skip (paging)', default: 0, minimum: 0, example: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'offset must be an integer' })
  @Min(0, { message: 'offset must be at least 0' })
  @Max(1_000_000, { message: 'offset must be at most 1000000' })
  offset: number = 0;

  @ApiPropertyOptional({ enum: SORT_ORDERS, description: '排序方向 Sort direction (each list has its own default)', example: 'desc' })
  @IsOptional()
  @IsIn(SORT_ORDERS, { message: 'order must be asc or desc' })
  order?: SortOrder;
}

/** The envelope of every paged list, the same as `GET /tasks`. */
export interface Page<T> {
  items: T[];
  /** How many items match in all (not only this page). */
  total: number;
  offset: number;
  limit: number;
  /** More items match beyond this page. */
  truncated: boolean;
}

export function page<T>(items: T[], total: number, query: { offset: number; limit: number }): Page<T> {
  return { items, total, offset: query.offset, limit: query.limit, truncated: query.offset + items.length < total };
}

/** A page of a list that is already whole in memory (the engine's incidents): sliced here, total from its length. */
export function pageOfAll<T>(all: T[], query: { offset: number; limit: number }): Page<T> {
  return page(all.slice(query.offset, query.offset + query.limit), all.length, query);
}

/** The paging fields of the envelope, for the OpenAPI document; `pageOf` adds the typed `items`. */
export class PageMeta {
  @ApiProperty({ description: '符合条件的总数 How many items match in all', example: 1 }) total!: number;
  @ApiProperty({ example: 0 }) offset!: number;
  @ApiProperty({ example: DEFAULT_PAGE_SIZE }) limit!: number;
  @ApiProperty({ description: '本页之后还有 More items match beyond this page', example: false }) truncated!: boolean;
}

const pageTypes = new Map<ClassType, ClassType>();

/** The OpenAPI type of a page of `item` (`<Item>Page`), made once per item type. */
export function pageOf<T>(item: ClassType<T>): ClassType<Page<T>> {
  const known = pageTypes.get(item);
  if (known) return known as ClassType<Page<T>>;
  class ItemPage extends PageMeta {
    @ApiProperty({ type: [item] }) items!: T[];
  }
  Object.defineProperty(ItemPage, 'name', { value: `${item.name.replace(/(Dto|Item)$/, '')}Page` });
  pageTypes.set(item, ItemPage);
  return ItemPage as ClassType<Page<T>>;
}

/** SQL ORDER BY for a whitelisted sort key, with the id as tie-break so a page boundary never repeats or skips a row. */
export function orderBy(columns: Record<string, string>, sort: string, order: SortOrder, id: string): string {
  const column = columns[sort];
  if (!column) throw new Error(`no sort column for ${sort}`);
  const direction = order === 'asc' ? 'ASC' : 'DESC';
  return `ORDER BY ${column} ${direction} NULLS LAST, ${id} ${direction}`;
}

/** A LIKE pattern matching `text` literally (its `%`, `_` and `\` escaped; PostgreSQL's default escape is `\`). */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
