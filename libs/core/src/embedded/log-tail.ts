import { readFileSync } from 'node:fs';

/** The last line of a service's log, to say in one line why it did not start. */
export function lastLogLine(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').pop()?.trim() || 'no log output';
  } catch {
    return 'no log output';
  }
}
