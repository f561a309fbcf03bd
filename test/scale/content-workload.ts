import { createHash, randomBytes } from 'node:crypto';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A write the API acknowledged (2xx), as the event it must have produced: `type` of `id` at `version`. */
export interface AcknowledgedEvent {
  type: 'page.created' | 'page.updated' | 'media.uploaded';
  id: string;
  version: number;
}

/** A page at the newest version a write acknowledged, with the title that write set. */
export interface AcknowledgedPage {
  version: number;
  title: string;
}

export interface UploadedMedia {
  id: string;
  bytes: Buffer;
  /** The instance that took the upload. */
  via: string;
}

/** How each kind of request was answered ("create 201", "update 412", "read ECONNRESET", ...). */
export type Outcomes = Record<string, number>;

/**
 * A mixed content load across several API instances, keeping a ledger of every write the API
 * acknowledged: creates, updates with `If-Match` (read first, then patch that version: a 412
 * when another instance got there first is expected and is not a write), item reads, list
 * reads and now and then a media upload. Loops are closed (one request at a time each), so the
 * load follows what the machine can serve. Anything else than the expected answers (a 5xx, a
 * connection error, an unexpected 4xx) is kept in `failures`.
 */
export class ContentWorkload {
  readonly pages = new Map<string, AcknowledgedPage>();
  readonly events: AcknowledgedEvent[] = [];
  readonly media: UploadedMedia[] = [];
  readonly failures: string[] = [];
  readonly outcomes: Outcomes = {};
  private running = false;
  private loops: Promise<void>[] = [];
  private sequence = 0;
  private operations = 0;

  constructor(
    private readonly baseUrls: string[],
    private readonly authorization: string,
    private readonly options: { loopsPerInstance: number; uploadEvery: number; maxUploadBytes: number },
  ) {}

  start(): this {
    this.running = true;
    for (const baseUrl of this.baseUrls) for (let loop = 0; loop < this.options.loopsPerInstance; loop++) this.loops.push(this.loop(baseUrl));
    return this;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Creates a page on `baseUrl` (also used to seed before the load). */
  async createPage(baseUrl: string): Promise<void> {
    const n = this.sequence++;
    const title = `Page ${n}`;
    const response = await this.send('create', baseUrl, 'POST', '/api/v1/pages', { slug: `scale-${n}-${randomBytes(3).toString('hex')}`, title }, [201]);
    if (response?.status !== 201) return;
    const page = response.json as { id: string; version: number; title: string };
    this.acknowledgePage(page.id, page.version, page.title, 'page.created');
  }

  /** Uploads `size` random bytes as a media file on `baseUrl`. */
  async upload(baseUrl: string, size: number): Promise<void> {
    const bytes = randomBytes(size);
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'application/octet-stream' }), `scale-${this.sequence++}.bin`);
    const response = await this.send('upload', baseUrl, 'POST', '/api/v1/media', form, [201]);
    if (response?.status !== 201) return;
    const media = response.json as { id: string; version: number; checksum: string; sizeBytes: number };
    if (media.checksum !== sha256(bytes) || media.sizeBytes !== size) {
      this.failures.push(`upload on ${baseUrl}: answered checksum ${media.checksum} / ${media.sizeBytes} B for ${sha256(bytes)} / ${size} B`);
    }
    this.media.push({ id: media.id, bytes, via: baseUrl });
    this.events.push({ type: 'media.uploaded', id: media.id, version: media.version });
  }

  private async loop(baseUrl: string): Promise<void> {
    while (this.running) {
      const pick = Math.random();
      if (++this.operations % this.options.uploadEvery === 0) await this.upload(baseUrl, 1024 + Math.floor(Math.random() * this.options.maxUploadBytes));
      else if (pick < 0.3 || this.pages.size < 5) await this.createPage(baseUrl);
      else if (pick < 0.6) await this.update(baseUrl, this.anyPage());
      else if (pick < 0.9) await this.send('read', baseUrl, 'GET', `/api/v1/pages/${this.anyPage()}`, undefined, [200]);
      else await this.send('list', baseUrl, 'GET', '/api/v1/pages?limit=20', undefined, [200]);
    }
  }

  /** Reads the page here, then changes it with If-Match on the version read. */
  private async update(baseUrl: string, id: string): Promise<void> {
    const read = await this.send('update-read', baseUrl, 'GET', `/api/v1/pages/${id}`, undefined, [200]);
    if (read?.status !== 200) return;
    const etag = read.headers.get('etag')!;
    const title = `Updated ${this.sequence++}`;
    const response = await this.send('update', baseUrl, 'PATCH', `/api/v1/pages/${id}`, { title }, [200, 412], { 'if-match': etag });
    if (response?.status !== 200) return;
    const page = response.json as { id: string; version: number; title: string };
    this.acknowledgePage(page.id, page.version, page.title, 'page.updated');
  }

  private acknowledgePage(id: string, version: number, title: string, type: AcknowledgedEvent['type']): void {
    this.events.push({ type, id, version });
    if ((this.pages.get(id)?.version ?? 0) < version) this.pages.set(id, { version, title });
  }

  private anyPage(): string {
    const ids = [...this.pages.keys()];
    return ids[Math.floor(Math.random() * ids.length)];
  }

  /**
   * One request, its body read whole; answers it when its status is one of `expected`, else
   * records the failure and answers undefined.
   */
  private async send(
    name: string,
    baseUrl: string,
    method: string,
    path: string,
    body: unknown,
    expected: number[],
    headers: Record<string, string> = {},
  ): Promise<{ status: number; headers: Headers; json: unknown } | undefined> {
    const isForm = body instanceof FormData;
    try {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { authorization: this.authorization, ...(body === undefined || isForm ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : isForm ? body : JSON.stringify(body),
        signal: AbortSignal.timeout(20_000),
      });
      const text = await response.text();
      this.count(`${name} ${response.status}`);
      if (expected.includes(response.status)) {
        return { status: response.status, headers: response.headers, json: response.status < 300 && text ? JSON.parse(text) : undefined };
      }
      this.failures.push(`${name} ${method} ${baseUrl}${path}: ${response.status} ${text.slice(0, 500)}`);
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      this.count(`${name} ${code}`);
      this.failures.push(`${name} ${method} ${baseUrl}${path}: ${code}`);
      // A refused connection would otherwise spin.
      await sleep(50);
    }
    return undefined;
  }

  private count(outcome: string): void {
    this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1;
  }
}
