import { describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CreateItemDto, ListItemsQueryDto } from './item.dto.js';

function errorsOf<T extends object>(cls: new () => T, body: object): string[] {
  return validateSync(plainToInstance(cls, body), { whitelist: true, forbidNonWhitelisted: true }).map((e) => e.property);
}

describe('CreateItemDto', () => {
  it('accepts a title alone', () => {
    expect(errorsOf(CreateItemDto, { title: 'SSO' })).toEqual([]);
  });

  it('refuses an empty or 201-character title, an unknown status and unknown fields', () => {
    expect(errorsOf(CreateItemDto, { title: '' })).toEqual(['title']);
    expect(errorsOf(CreateItemDto, { title: 'x'.repeat(201) })).toEqual(['title']);
    expect(errorsOf(CreateItemDto, { title: 'a', status: 'shipped' })).toEqual(['status']);
    expect(errorsOf(CreateItemDto, { title: 'a', owner: 'me' })).toEqual(['owner']);
  });

  it('refuses RICE values off their scales', () => {
    expect(errorsOf(CreateItemDto, { title: 'a', impact: 4, confidence: 101, effort: 0 }).sort()).toEqual(['confidence', 'effort', 'impact']);
  });
});

describe('ListItemsQueryDto', () => {
  it('turns a query-string limit into a number and bounds it', () => {
    expect(errorsOf(ListItemsQueryDto, { limit: '50' })).toEqual([]);
    expect(errorsOf(ListItemsQueryDto, { limit: '500' })).toEqual(['limit']);
  });
});
