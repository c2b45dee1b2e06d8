import type { Migration } from '@northstar/common';
import * as init from './0001_init.js';

/** Applied in name order; a released migration is never edited, only followed by a new one. */
export const migrations: Record<string, Migration> = {
  '0001_init': init,
};
