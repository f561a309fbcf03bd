import { ContentTables1763830000000 } from './1763830000000-content-tables';

/** Every migration, in order. Add new ones at the end; never edit one that has landed. */
export const migrations = [ContentTables1763830000000];
