/** One request the generator sends; `name` groups results (e.g. "read", "write"). */
export interface LoadRequest {
  name: string;
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
}

export interface LoadResult {
  name: string;
  startedAt: number;
  ms: number;
  status?: number;
  /** Set when no HTTP answer came: connection refused/reset, or our own timeout. */
  error?: string;
  contentType?: string;
  headers?: Headers;
  /** Kept only for answers that are not 2xx/3xx (to check what a failure says), truncated. */
  body?: string;
  /** The parsed JSON of a 2xx answer, for tests that need the created resource. */
  json?: any;
}

/**
 * A small closed-loop load generator for fault tests: `concurrency` loops each send one
 * request, wait for its answer (or `timeoutMs`), and send the next, until `stop()`. Every
 * result is kept, so a test can say exactly what failed, when, and how slowly.
 */
export class LoadGenerator {
  readonly results: LoadResult[] = [];
  private running = false;
  private loops: Promise<void>[] = [];
  private sequence = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly headers: Record<string, string>,
    private readonly next: (sequence: number) => LoadRequest,
    private readonly options: { concurrency?: number; timeoutMs?: number; keepJson?: boolean } = {},
  ) {}

  start(): this {
    this.running = true;
    this.loops = Array.from({ length: this.options.concurrency ?? 8 }, () => this.loop());
    return this;
  }

  async stop(): Promise<LoadResult[]> {
    this.running = false;
    await Promise.all(this.loops);
    return this.results;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const request = this.next(this.sequence++);
      this.results.push(await this.send(request));
    }
  }

  private async send(request: LoadRequest): Promise<LoadResult> {
    const startedAt = Date.now();
    try {
      const response = await fetch(`${this.baseUrl}${request.path}`, {
        method: request.method ?? 'GET',
        headers: { ...this.headers, ...(request.body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10000),
      });
      const text = await response.text();
      const ok = response.status < 400;
      return {
        name: request.name,
        startedAt,
        ms: Date.now() - startedAt,
        status: response.status,
        contentType: response.headers.get('content-type') ?? undefined,
        headers: response.headers,
        body: ok ? undefined : text.slice(0, 2000),
        json: ok && this.options.keepJson && text ? JSON.parse(text) : undefined,
      };
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      return { name: request.name, startedAt, ms: Date.now() - startedAt, error: cause?.code ?? (error as Error).name ?? String(error) };
    }
  }
}

/** Counts by outcome ("200", "503", "ECONNRESET", ...), for assertion messages and the report. */
export function outcomes(results: LoadResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const result of results) {
    const key = result.error ?? String(result.status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

export function maxLatency(results: LoadResult[]): number {
  return results.reduce((max, result) => Math.max(max, result.ms), 0);
}
