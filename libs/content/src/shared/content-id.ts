import { v7 as uuidv7 } from 'uuid';

/** New content ids are UUIDv7: time-ordered, so inserts stay local in the primary-key index. */
export function newContentId(): string {
  return uuidv7();
}
