import type { IncomingMessage } from 'node:http';
import { requestIdFor } from './request-id';

const withHeader = (value?: string) => ({ headers: value === undefined ? {} : { 'x-request-id': value } }) as IncomingMessage;

describe('requestIdFor', () => {
  it('echoes an acceptable client id', () => {
    expect(requestIdFor(withHeader('abc-123'))).toBe('abc-123');
  });
  it.each(['', 'has space', 'x'.repeat(129), 'line\nbreak'])('replaces %j with a UUID', (value) => {
    expect(requestIdFor(withHeader(value))).toMatch(/^[0-9a-f-]{36}$/);
  });
  it('generates one when none is sent', () => {
    expect(requestIdFor(withHeader())).toMatch(/^[0-9a-f-]{36}$/);
  });
});
