import type { Migration } from 'kysely';
import { items } from './0001_items.js';

/** Applied in name order; never edit a migration that has shipped, add the next one. */
export const migrations: Record<string, Migration> = {
  '0001_items': items,
};
