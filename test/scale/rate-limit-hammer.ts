const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Longest a hammer runs: every request it sends falls in one minute, so whatever it was allowed
 * is measured against one window's bound (a longer run could rightly be allowed more).
 */
const WITHIN_ONE_MINUTE_MS = 50_000;

/**
 * A rate-limited key sent at every api instance at once (one loop each, a short pause between
 * requests so it does not starve the content load), counting the answers.
 */
export class RateLimitHammer {
  private readonly statuses: number[] = [];
  private stopping = false;
  private startedAt = 0;
  private minimum = 0;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly urls: string[],
    private readonly authorization: string,
  ) {}

  start(): this {
    this.startedAt = Date.now();
    this.loops = this.urls.map((url) => this.loop(url));
    return this;
  }

  /**
   * Stops once at least `minimum` requests were answered (so a broken limit would show in the
   * count), or at the end of the minute, and answers every status (0: no answer).
   */
  async stop(minimum = 0): Promise<number[]> {
    this.minimum = minimum;
    this.stopping = true;
    await Promise.all(this.loops);
    return this.statuses;
  }

  private get running(): boolean {
    if (Date.now() - this.startedAt > WITHIN_ONE_MINUTE_MS) return false;
    return !this.stopping || this.statuses.length < this.minimum;
  }

  private async loop(url: string): Promise<void> {
    while (this.running) {
      try {
        const response = await fetch(`${url}/api/v1/pages?limit=1`, { headers: { authorization: this.authorization }, signal: AbortSignal.timeout(20_000) });
        await response.arrayBuffer();
        this.statuses.push(response.status);
      } catch {
        this.statuses.push(0);
      }
      await sleep(10);
    }
  }
}
