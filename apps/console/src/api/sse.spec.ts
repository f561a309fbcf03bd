import { EventStreamParser } from './sse';

describe('EventStreamParser', () => {
  it('assembles events from chunks split anywhere, skipping comments', () => {
    const parser = new EventStreamParser();
    const stream = ': keep-alive\n\nid: 1\nevent: page.created\ndata: {"a":\ndata: 1}\n\nid: 2\r\ndata: x\r\n\r\n';
    const events = [];
    for (let at = 0; at < stream.length; at += 3) events.push(...parser.push(stream.slice(at, at + 3)));
    expect(events).toEqual([
      { id: '1', event: 'page.created', data: '{"a":\n1}' },
      { id: '2', event: 'message', data: 'x' },
    ]);
  });

  it('keeps the last id for events without their own, and waits for the blank line', () => {
    const parser = new EventStreamParser();
    expect(parser.push('id: 7\ndata: one\n')).toEqual([]);
    expect(parser.push('\ndata: two\n\n')).toEqual([
      { id: '7', event: 'message', data: 'one' },
      { id: '7', event: 'message', data: 'two' },
    ]);
  });
});
