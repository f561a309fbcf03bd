import { TimeoutError, withTimeout } from './with-timeout';

describe('withTimeout', () => {
  it('answers what the work answers when it settles in time', async () => {
    await expect(withTimeout(Promise.resolve('PONG'), 50)).resolves.toBe('PONG');
    await expect(withTimeout(Promise.reject(new Error('refused')), 50)).rejects.toThrow('refused');
  });

  it('rejects with a TimeoutError naming the limit when the work hangs', async () => {
    const never = new Promise<string>(() => undefined);
    const outcome = withTimeout(never, 20).catch((error: unknown) => error);
    await expect(outcome).resolves.toBeInstanceOf(TimeoutError);
    await expect(outcome).resolves.toMatchObject({ timeoutMs: 20, message: 'no answer within 20 ms' });
  });
});
