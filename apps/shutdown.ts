/**
 * SIGTERM / SIGINT: run `close` (stop accepting, let in-flight work finish, close connections,
 * stop embedded services) and exit 0; if that takes longer than the grace period, exit 1 anyway
 * so an orchestrator never has to SIGKILL us.
 */
export function closeOnSignals(close: () => Promise<void>, graceMs: number, log: (line: string) => void): void {
  let closing = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (closing) return;
      closing = true;
      log(`${signal} received: finishing in-flight work (at most ${graceMs} ms)`);
      const deadline = setTimeout(() => {
        log('shutdown grace period is over: exiting with work still open');
        process.exit(1);
      }, graceMs);
      deadline.unref();
      close().then(
        () => process.exit(0),
        (error: unknown) => {
          log(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
          process.exit(1);
        },
      );
    });
  }
}
