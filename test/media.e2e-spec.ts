import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { StartupError } from '@strata/core';
import { MediaStorage } from '../libs/content/src/media/storage/media-storage';
import { S3Storage } from '../libs/content/src/media/storage/s3.storage';
import request from 'supertest';
import { PrivateS3 } from './support/private-s3';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';

type Response = request.Response;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Collects a response body as raw bytes, whatever its Content-Type. */
function asBytes(response: request.Response, done: (error: Error | null, body: Buffer) => void): void {
  // Parsers get the raw IncomingMessage, not the Response the typings describe.
  const stream = response as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

/** Every file under a directory, as paths relative to it (temporary uploads included). */
async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(directory, join(entry.parentPath, entry.name)))
    .sort();
}

/** What a driver keeps, seen from outside the app: how tests check what was stored where. */
interface StoredState {
  /** Every name stored anywhere the driver could reach (temporary uploads included), sorted. */
  names(): Promise<string[]>;
  /** The storage key a name holds when it sits directly in the driver's place, else undefined. */
  keyOf(name: string): string | undefined;
  /** Uploads that have started writing and have not finished. */
  uploadsInProgress(): Promise<number>;
}

/** Local disk: the whole data directory is listed, so a file written outside the storage directory shows. */
function localDisk(dataDir: string, storageDir: string): StoredState {
  return {
    names: () => filesUnder(dataDir),
    keyOf: (name) => (dirname(join(dataDir, name)) === storageDir && !name.split('/').pop()!.startsWith('.') ? name.split('/').pop() : undefined),
    uploadsInProgress: async () => (await readdir(join(storageDir, '.incoming'))).length,
  };
}

/** S3: the whole bucket is listed, so an object written outside S3_PREFIX shows. */
function s3Bucket(s3: PrivateS3, prefix: string): StoredState {
  return {
    names: () => s3.keys(),
    keyOf: (name) => {
      const rest = name.startsWith(prefix) ? name.slice(prefix.length) : undefined;
      return rest && !rest.includes('/') && !rest.startsWith('.') ? rest : undefined;
    },
    uploadsInProgress: () => s3.unfinishedMultipartUploads(),
  };
}

const STORAGE_KEY = /^[A-Za-z0-9_-]+$/;
const S3_PREFIX = 'tenant-a/media';

interface Driver {
  name: 'local' | 's3';
  /** Starts what the driver needs and answers the variables that select it. */
  setUp(): Promise<Record<string, string>>;
  stored(environment: TestEnvironment, app: TestApp): StoredState;
  tearDown(): Promise<void>;
}

let s3: PrivateS3 | undefined;
const drivers: Driver[] = [
  {
    name: 'local',
    setUp: async () => ({}),
    stored: (environment, app) => localDisk(environment.env.DATA_DIR, app.config.media.storageDir),
    tearDown: async () => undefined,
  },
  {
    name: 's3',
    setUp: async () => (s3 = await PrivateS3.start()).env(S3_PREFIX),
    stored: () => s3Bucket(s3!, `${S3_PREFIX}/`),
    tearDown: async () => s3?.stop(),
  },
];

async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A multipart body written by hand, for file names a well-behaved client library would not send. */
function handWrittenMultipart(parts: Array<{ name: string; filename?: string; contentType?: string; body: Buffer | string }>) {
  const boundary = `strata-${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const filename = part.filename === undefined ? '' : `; filename="${part.filename}"`;
    const contentType = part.contentType ? `Content-Type: ${part.contentType}\r\n` : '';
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${filename}\r\n${contentType}\r\n`),
      Buffer.from(part.body),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(chunks) };
}

describe.each(drivers)('media on $name storage', (driver) => {
  let environment: TestEnvironment;
  let strata: TestApp;
  let stored: StoredState;

  beforeAll(async () => {
    environment = await createTestEnvironment(await driver.setUp());
    strata = await environment.start();
    stored = driver.stored(environment, strata);
  });
  afterAll(async () => {
    await environment?.teardown();
    await driver.tearDown();
  });

  const api = () => strata.api();
  const upload = (bytes: Buffer, filename: string, contentType: string, fields: Record<string, string | string[]> = {}) => {
    const post = api().post('/api/v1/media');
    for (const [name, value] of Object.entries(fields)) {
      for (const item of [value].flat()) post.field(name, item);
    }
    return post.attach('file', bytes, { filename, contentType });
  };
  const uploaded = async (...args: Parameters<typeof upload>) => (await upload(...args).expect(201)).body;
  const download = (id: string) => api().get(`/api/v1/media/${id}/file`).buffer(true).parse(asBytes);

  it('stores an upload and serves back the same bytes', async () => {
    const before = await stored.names();
    const bytes = randomBytes(150_000);
    const response = await upload(bytes, 'photo.png', 'image/png', {
      altText: 'A random picture',
      tags: ['team', 'office'],
      metadata: JSON.stringify({ credit: 'Jane Doe', size: { w: 10 } }),
    }).expect(201);

    const media = response.body;
    expect(media.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(response.headers.location).toBe(`/api/v1/media/${media.id}`);
    expect(response.headers.etag).toBe(`"${media.id}.1"`);
    expect(media).toEqual({
      id: media.id,
      filename: 'photo.png',
      mimeType: 'image/png',
      sizeBytes: bytes.length,
      altText: 'A random picture',
      url: `/api/v1/media/${media.id}/file`,
      checksum: sha256(bytes),
      tags: ['team', 'office'],
      metadata: { credit: 'Jane Doe', size: { w: 10 } },
      version: 1,
      createdAt: expect.any(String),
      updatedAt: media.createdAt,
    });
    expect((await api().get(`/api/v1/media/${media.id}`).expect(200)).body).toEqual(media);

    const file: Response = await download(media.id).expect(200);
    expect(Buffer.compare(file.body, bytes)).toBe(0);
    expect(sha256(file.body)).toBe(media.checksum);
    expect(file.headers['content-type']).toBe('image/png');
    expect(file.headers['content-length']).toBe(String(bytes.length));
    expect(file.headers['content-disposition']).toBe("inline; filename*=UTF-8''photo.png");
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect(file.headers['content-security-policy']).toMatch(/sandbox/);
    expect(file.headers.etag).toBe(response.headers.etag);

    const notModified = await api().get(`/api/v1/media/${media.id}/file`).set('If-None-Match', response.headers.etag).expect(304);
    expect(notModified.text ?? '').toBe('');

    const added = (await stored.names()).filter((name) => !before.includes(name));
    expect(added).toHaveLength(1);
    expect(stored.keyOf(added[0])).toMatch(STORAGE_KEY);
    expect(added[0]).not.toMatch(/photo/);
    expect(await strata.app.get(MediaStorage).exists(stored.keyOf(added[0])!)).toBe(true);
  });

  it('serves one byte range with 206, the whole file for several, and 416 past the end', async () => {
    const bytes = randomBytes(10_000);
    const media = await uploaded(bytes, 'clip.mp4', 'video/mp4');
    const ranged = (range: string, extra: Record<string, string> = {}) => download(media.id).set({ range, ...extra });

    const middle: Response = await ranged('bytes=1000-1999').expect(206);
    expect(Buffer.compare(middle.body, bytes.subarray(1000, 2000))).toBe(0);
    expect(middle.headers['content-range']).toBe(`bytes 1000-1999/${bytes.length}`);
    expect(middle.headers['content-length']).toBe('1000');
    expect(middle.headers['accept-ranges']).toBe('bytes');
    expect(middle.headers.etag).toBe(`"${media.id}.1"`);

    const tail: Response = await ranged('bytes=-100').expect(206);
    expect(Buffer.compare(tail.body, bytes.subarray(bytes.length - 100))).toBe(0);

    const several: Response = await ranged('bytes=0-9,5000-5009').expect(200);
    expect(Buffer.compare(several.body, bytes)).toBe(0);

    // If-Range with a stale ETag: the client's part would not fit its copy, so the whole file.
    const stale: Response = await ranged('bytes=0-9', { 'if-range': `"${media.id}.0"` }).expect(200);
    expect(stale.body.length).toBe(bytes.length);
    await ranged('bytes=0-9', { 'if-range': `"${media.id}.1"` }).expect(206);

    const beyond = await api().get(`/api/v1/media/${media.id}/file`).set('range', `bytes=${bytes.length}-`).expect(416);
    expect(beyond.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(beyond.headers['content-range']).toBe(`bytes */${bytes.length}`);
  });

  if (driver.name === 'local')
    it('removes the temporary files of uploads abandoned by a dead process when an instance starts', async () => {
      const incoming = join(strata.config.media.storageDir, '.incoming');
      const abandoned = join(incoming, 'abandoned-by-a-crash.part');
      const recent = join(incoming, 'still-uploading.part');
      await writeFile(abandoned, randomBytes(1000));
      await writeFile(recent, randomBytes(1000));
      const longAgo = new Date(Date.now() - 7 * 3_600_000);
      await utimes(abandoned, longAgo, longAgo);

      const next = await environment.start();
      try {
        expect(existsSync(abandoned)).toBe(false);
        expect(existsSync(recent)).toBe(true);
      } finally {
        await next.close();
        await rm(recent, { force: true });
      }
    });

  if (driver.name === 's3')
    it('removes configuration markers a dead process left, and nothing else, page by page', async () => {
      const media = await uploaded(randomBytes(100), 'kept.bin', 'application/octet-stream');
      const markers = Array.from({ length: 3 }, (_, index) => `${S3_PREFIX}/.strata-check-0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6${index}`);
      for (const key of markers) await s3!.client.send(new PutObjectCommand({ Bucket: s3!.bucket, Key: key, Body: 'left by a crash' }));
      const storage = strata.app.get<MediaStorage, S3Storage>(MediaStorage);

      // Fresh markers may belong to an instance booting right now.
      expect(await storage.removeAbandonedUploads()).toBe(0);
      expect(await s3!.keys()).toEqual(expect.arrayContaining(markers));

      expect(await storage.removeAbandonedUploads(Date.now() + 2 * 3_600_000)).toBe(3);
      const left = await s3!.keys();
      expect(left.filter((key) => key.includes('.strata-check-'))).toEqual([]);
      expect(left.filter((key) => stored.keyOf(key))).not.toEqual([]);
      expect((await download(media.id).expect(200)).body.length).toBe(100);
    });

  it('accepts tags as one JSON array field and encodes a Unicode file name for download', async () => {
    const media = await uploaded(Buffer.from('%PDF-1.4 résumé'), "résumé (final)'s.pdf", 'application/pdf', { tags: '["cv","2025"]' });
    expect(media).toMatchObject({ filename: "résumé (final)'s.pdf", tags: ['cv', '2025'], altText: '', metadata: {} });
    const file = await download(media.id).expect(200);
    expect(file.headers['content-disposition']).toBe("inline; filename*=UTF-8''r%C3%A9sum%C3%A9%20%28final%29%27s.pdf");
  });

  it('falls back to application/octet-stream for a part type that is not a type/subtype', async () => {
    const form = handWrittenMultipart([{ name: 'file', filename: 'blob', contentType: 'nonsense', body: 'abc' }]);
    const response = await api().post('/api/v1/media').set('Content-Type', form.contentType).send(form.body).expect(201);
    expect(response.body).toMatchObject({ mimeType: 'application/octet-stream', sizeBytes: 3, checksum: sha256(Buffer.from('abc')) });
  });

  describe('file names that try to escape', () => {
    it('stores a path-traversal name as a harmless one and keeps the file inside the storage directory', async () => {
      const before = await stored.names();
      const form = handWrittenMultipart([{ name: 'file', filename: '../../etc/passwd', contentType: 'text/plain', body: 'root:x:0:0' }]);
      const media = (await api().post('/api/v1/media').set('Content-Type', form.contentType).send(form.body).expect(201)).body;
      expect(media.filename).toBe('passwd');

      const added = (await stored.names()).filter((name) => !before.includes(name));
      expect(added).toHaveLength(1);
      expect(stored.keyOf(added[0])).toMatch(STORAGE_KEY);
      expect(Buffer.compare((await download(media.id).expect(200)).body, Buffer.from('root:x:0:0'))).toBe(0);
    });

    it.each([
      ['..', 'file'],
      ['..\\..\\windows\\win.ini', 'win.ini'],
      ['.hidden..name...txt', 'hidden.name.txt'],
      ['tab\tand\u0007bell.txt', 'tabandbell.txt'],
    ])('stores %j as %j', async (sent, stored) => {
      const form = handWrittenMultipart([{ name: 'file', filename: sent, contentType: 'text/plain', body: 'x' }]);
      const response = await api().post('/api/v1/media').set('Content-Type', form.contentType).send(form.body).expect(201);
      expect(response.body.filename).toBe(stored);
    });

    it('refuses an unsafe filename in a PATCH', async () => {
      const media = await uploaded(Buffer.from('x'), 'safe.txt', 'text/plain');
      for (const filename of ['../evil.txt', 'a/b.txt', '.hidden', 'line\nbreak', '', 'x'.repeat(256)]) {
        const response = await api().patch(`/api/v1/media/${media.id}`).send({ filename }).expect(400);
        expect(Object.keys(response.body.errors)).toEqual(['filename']);
      }
      expect((await api().get(`/api/v1/media/${media.id}`).expect(200)).body.version).toBe(1);
    });
  });

  describe('refused uploads leave nothing behind', () => {
    let rowsBefore: number;
    let namesBefore: string[];

    const rowCount = async () => (await api().get('/api/v1/media').query({ limit: 100 }).expect(200)).body.data.length as number;
    beforeEach(async () => {
      rowsBefore = await rowCount();
      namesBefore = await stored.names();
    });
    afterEach(async () => {
      expect(await rowCount()).toBe(rowsBefore);
      expect(await stored.names()).toEqual(namesBefore);
    });

    it('answers 413 to a file over MEDIA_MAX_BYTES', async () => {
      const small = await environment.start({ MEDIA_MAX_BYTES: '1024' });
      const response = await small
        .api()
        .post('/api/v1/media')
        .field('altText', 'too big')
        .attach('file', randomBytes(300_000), { filename: 'big.bin', contentType: 'application/octet-stream' })
        .expect(413);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 413, type: expect.stringMatching(/payload-too-large$/), maxBytes: 1024 });

      // A file of exactly the limit is fine.
      const exact = await small.api().post('/api/v1/media').attach('file', randomBytes(1024), 'exact.bin').expect(201);
      await small.api().delete(`/api/v1/media/${exact.body.id}`).expect(204);
      await small.close();
    });

    it('answers 413 to a file that passes the limit after several parts were already sent', async () => {
      // Over S3's 5 MiB part size, so the S3 driver is in a multipart upload when the limit trips.
      const limit = 6 * 1024 * 1024;
      const small = await environment.start({ MEDIA_MAX_BYTES: String(limit) });
      const response = await small
        .api()
        .post('/api/v1/media')
        .attach('file', randomBytes(12 * 1024 * 1024), { filename: 'big.bin', contentType: 'application/octet-stream' })
        .expect(413);
      expect(response.body).toMatchObject({ status: 413, maxBytes: limit });
      await small.close();
    });

    it('removes the partial file when the client disconnects mid-upload', async () => {
      const server = strata.server.listen(0);
      try {
        const { port } = server.address() as AddressInfo;
        const socket = connect(port, '127.0.0.1');
        socket.on('error', () => undefined);
        socket.write(
          `POST /api/v1/media HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${environment.env.ADMIN_API_KEY}\r\n` +
            'Content-Type: multipart/form-data; boundary=cut\r\nContent-Length: 10000000\r\n\r\n' +
            '--cut\r\nContent-Disposition: form-data; name="file"; filename="abandoned.bin"\r\nContent-Type: application/octet-stream\r\n\r\n',
        );
        const inProgressBefore = await stored.uploadsInProgress();
        // Past S3's 5 MiB part size, so the S3 driver has started a multipart upload.
        socket.write(randomBytes(6 * 1024 * 1024));
        await eventually(async () => (await stored.uploadsInProgress()) > inProgressBefore, 15_000);
        socket.destroy();
        await eventually(async () => (await stored.names()).length === namesBefore.length);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('answers 400 when the file part is missing', async () => {
      const response = await api().post('/api/v1/media').field('altText', 'no file').expect(400);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(Object.keys(response.body.errors)).toEqual(['file']);
    });

    it('answers 400 listing every bad field, after the file was already streamed', async () => {
      const response = await upload(Buffer.from('bytes'), 'bad.txt', 'text/plain', {
        metadata: '{"unclosed": ',
        altText: 'x'.repeat(1001),
        tags: '["fine", "not fine!"]',
        owner: 'someone',
      }).expect(400);
      expect(response.body.type).toMatch(/validation-error$/);
      expect(Object.keys(response.body.errors).sort()).toEqual(['altText', 'metadata', 'owner', 'tags']);
      expect(response.body.errors.owner[0]).toMatch(/should not exist/);

      const fieldsAfterFile = handWrittenMultipart([
        { name: 'file', filename: 'late.txt', contentType: 'text/plain', body: 'late' },
        { name: 'metadata', body: '[1, 2]' },
      ]);
      const late = await api().post('/api/v1/media').set('Content-Type', fieldsAfterFile.contentType).send(fieldsAfterFile.body).expect(400);
      expect(Object.keys(late.body.errors)).toEqual(['metadata']);
    });

    it('refuses a file in another part and a text field named file', async () => {
      const wrongPart = await api().post('/api/v1/media').attach('image', Buffer.from('x'), 'x.png').expect(400);
      expect(Object.keys(wrongPart.body.errors).sort()).toEqual(['file', 'image']);
      const textFile = await api().post('/api/v1/media').field('file', 'not a file').expect(400);
      expect(textFile.body.errors.file[0]).toMatch(/file part/);
    });

    it('answers 415 to a body that is not multipart, and 400 to a broken one', async () => {
      const json = await api().post('/api/v1/media').send({ filename: 'x.txt' }).expect(415);
      expect(json.headers['content-type']).toMatch(/application\/problem\+json/);
      await api().post('/api/v1/media').expect(415);
      await api().post('/api/v1/media').set('Content-Type', 'multipart/form-data').send('no boundary').expect(400);
      const cut = await api()
        .post('/api/v1/media')
        .set('Content-Type', 'multipart/form-data; boundary=abc')
        .send('--abc\r\nContent-Disposition: form-data; name="file"; filename="cut.txt"\r\n\r\nhalf a fi')
        .expect(400);
      expect(cut.headers['content-type']).toMatch(/application\/problem\+json/);
    });
  });

  describe('lists', () => {
    beforeAll(async () => {
      await uploaded(Buffer.alloc(10), 'alpha.png', 'image/png', { tags: 'listed' });
      await uploaded(Buffer.alloc(30), 'bravo.jpg', 'image/jpeg', { tags: 'listed' });
      await uploaded(Buffer.alloc(20), 'quarterly-report.txt', 'text/plain', { tags: 'listed', altText: 'Numbers for the board' });
      await uploaded(Buffer.alloc(40), 'delta.bin', 'application/octet-stream', { tags: 'listed' });
    });

    const names = (response: Response) => response.body.data.map((media: { filename: string }) => media.filename);

    it('filters by exact media type or by type/*', async () => {
      expect(names(await api().get('/api/v1/media').query({ tag: 'listed', mimeType: 'image/*', sort: 'filename' }).expect(200))).toEqual([
        'alpha.png',
        'bravo.jpg',
      ]);
      expect(names(await api().get('/api/v1/media').query({ tag: 'listed', mimeType: 'Image/JPEG' }).expect(200))).toEqual(['bravo.jpg']);
      expect(names(await api().get('/api/v1/media').query({ tag: 'listed', mimeType: 'video/*' }).expect(200))).toEqual([]);
    });

    it('walks sizes in order with a cursor', async () => {
      const sizes: number[] = [];
      let cursor: string | null = null;
      do {
        const response: Response = await api()
          .get('/api/v1/media')
          .query({ tag: 'listed', sort: 'sizeBytes', limit: 1, ...(cursor ? { cursor } : {}) })
          .expect(200);
        sizes.push(...response.body.data.map((media: { sizeBytes: number }) => media.sizeBytes));
        cursor = response.body.nextCursor;
      } while (cursor);
      expect(sizes).toEqual([10, 20, 30, 40]);
      expect(names(await api().get('/api/v1/media').query({ tag: 'listed', sort: '-filename', limit: 2 }).expect(200))).toEqual([
        'quarterly-report.txt',
        'delta.bin',
      ]);
    });

    it('searches file names (typos too) and alt text', async () => {
      expect(names(await api().get('/api/v1/media').query({ q: 'quartely' }).expect(200))[0]).toBe('quarterly-report.txt');
      expect(names(await api().get('/api/v1/media').query({ q: 'board' }).expect(200))).toEqual(['quarterly-report.txt']);
    });

    it('rejects bad list parameters with 400', async () => {
      for (const query of [
        { mimeType: 'image' },
        { mimeType: 'image/*/x' },
        { mimeType: '*/*' },
        { sort: 'checksum' },
        { sort: 'relevance' },
        { limit: 0 },
        { storageKey: 'x' },
      ]) {
        const response = await api().get('/api/v1/media').query(query).expect(400);
        expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      }
    });
  });

  it('updates alt text with If-Match and refuses a stale one or a change to the file', async () => {
    const media = await uploaded(Buffer.from('hello'), 'hello.txt', 'text/plain');
    const etag = `"${media.id}.1"`;
    const updated = await api()
      .patch(`/api/v1/media/${media.id}`)
      .set('If-Match', etag)
      .send({ altText: 'Greeting', filename: 'greeting.txt', tags: ['hi'] })
      .expect(200);
    expect(updated.headers.etag).toBe(`"${media.id}.2"`);
    expect(updated.body).toMatchObject({ altText: 'Greeting', filename: 'greeting.txt', tags: ['hi'], version: 2, checksum: media.checksum, sizeBytes: 5 });

    const stale = await api().patch(`/api/v1/media/${media.id}`).set('If-Match', etag).send({ altText: 'Lost' }).expect(412);
    expect(stale.body.type).toMatch(/precondition-failed$/);
    const readOnly = await api().patch(`/api/v1/media/${media.id}`).send({ sizeBytes: 1, checksum: 'x', mimeType: 'text/html' }).expect(400);
    expect(Object.keys(readOnly.body.errors).sort()).toEqual(['checksum', 'mimeType', 'sizeBytes']);

    const file = await download(media.id).expect(200);
    expect(file.headers['content-disposition']).toBe("inline; filename*=UTF-8''greeting.txt");
    // A text file is served gzip-compressed to supertest, so its ETag carries the coding.
    expect(file.headers.etag).toBe(`"${media.id}.2-gzip"`);
    await api().get(`/api/v1/media/${media.id}/file`).set('If-None-Match', etag).expect(200);
  });

  it('deletes the row and then the file', async () => {
    const before = await stored.names();
    const media = await uploaded(randomBytes(2048), 'doomed.bin', 'application/octet-stream');
    const [storageKey] = (await stored.names()).filter((name) => !before.includes(name)).map((name) => stored.keyOf(name)!);
    expect(await strata.app.get(MediaStorage).exists(storageKey)).toBe(true);

    await api().delete(`/api/v1/media/${media.id}`).set('If-Match', `"${media.id}.9"`).expect(412);
    await api().delete(`/api/v1/media/${media.id}`).expect(204);
    expect(await strata.app.get(MediaStorage).exists(storageKey)).toBe(false);
    expect(await stored.names()).toEqual(before);
    await api().get(`/api/v1/media/${media.id}`).expect(404);
    await api().get(`/api/v1/media/${media.id}/file`).expect(404);
  });

  describe('batch', () => {
    it('updates and deletes in one transaction, removing files after the commit', async () => {
      const keep = await uploaded(Buffer.from('keep'), 'keep.txt', 'text/plain');
      const before = await stored.names();
      const doomed = await uploaded(Buffer.from('doomed'), 'doomed.txt', 'text/plain');
      const response = await api()
        .post('/api/v1/media/batch')
        .send({
          operations: [
            { op: 'update', id: keep.id, data: { altText: 'kept' }, ifMatch: `"${keep.id}.1"` },
            { op: 'delete', id: doomed.id },
          ],
        })
        .expect(200);
      expect(response.body.data).toEqual([
        expect.objectContaining({ index: 0, op: 'update', status: 200, item: expect.objectContaining({ altText: 'kept', version: 2 }) }),
        expect.objectContaining({ index: 1, op: 'delete', status: 204, id: doomed.id }),
      ]);
      expect(await stored.names()).toEqual(before);
      await api().get(`/api/v1/media/${doomed.id}`).expect(404);
    });

    it('keeps every row and file when the batch fails', async () => {
      const media = await uploaded(Buffer.from('survivor'), 'survivor.txt', 'text/plain');
      const before = await stored.names();
      const response = await api()
        .post('/api/v1/media/batch')
        .send({
          operations: [
            { op: 'delete', id: media.id },
            { op: 'delete', id: '0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f' },
          ],
        })
        .expect(404);
      expect(response.body.failedOperation).toBe(1);
      expect(await stored.names()).toEqual(before);
      expect(Buffer.compare((await download(media.id).expect(200)).body, Buffer.from('survivor'))).toBe(0);
    });

    it('refuses create operations with a clear 400 and applies nothing', async () => {
      const media = await uploaded(Buffer.from('x'), 'x.txt', 'text/plain');
      const response = await api()
        .post('/api/v1/media/batch')
        .send({
          operations: [
            { op: 'update', id: media.id, data: { altText: 'changed' } },
            { op: 'create', data: { filename: 'new.txt' } },
          ],
        })
        .expect(400);
      expect(response.body.detail).toMatch(/multipart POST \/api\/v1\/media/);
      expect(Object.keys(response.body.errors)).toEqual(['operations[1].op']);
      expect((await api().get(`/api/v1/media/${media.id}`).expect(200)).body).toMatchObject({ altText: '', version: 1 });
    });
  });

  it('redirects downloads to MEDIA_PUBLIC_URL when it is set, after the conditional check', async () => {
    const direct = await environment.start({ MEDIA_PUBLIC_URL: 'https://cdn.example.test/files/' });
    const before = await stored.names();
    const media = await uploaded(randomBytes(64), 'cdn.bin', 'application/octet-stream');
    const [name] = (await stored.names()).filter((entry) => !before.includes(entry));

    const redirect = await direct.api().get(`/api/v1/media/${media.id}/file`).set('range', 'bytes=0-9').expect(302);
    const objectName = driver.name === 's3' ? name : stored.keyOf(name);
    expect(redirect.headers.location).toBe(`https://cdn.example.test/files/${objectName}`);
    expect(redirect.headers.etag).toBe(`"${media.id}.1"`);
    await direct.api().get(`/api/v1/media/${media.id}/file`).set('If-None-Match', `"${media.id}.1"`).expect(304);
    await direct.close();
  });

  if (driver.name === 's3') {
    it('serves a byte range on one instance of a file uploaded on another (no shared disk)', async () => {
      const otherDisk = await mkdtemp(join(tmpdir(), 'strata-test-other-'));
      const instanceB = await environment.start({ DATA_DIR: otherDisk });
      try {
        const bytes = randomBytes(7 * 1024 * 1024);
        const media = await uploaded(bytes, 'shared.mp4', 'video/mp4');
        const part: Response = await instanceB
          .api()
          .get(`/api/v1/media/${media.id}/file`)
          .set('range', 'bytes=5242000-5243999')
          .buffer(true)
          .parse(asBytes)
          .expect(206);
        expect(Buffer.compare(part.body, bytes.subarray(5_242_000, 5_244_000))).toBe(0);
        expect(part.headers['content-range']).toBe(`bytes 5242000-5243999/${bytes.length}`);
        const whole: Response = await instanceB.api().get(`/api/v1/media/${media.id}/file`).buffer(true).parse(asBytes).expect(200);
        expect(sha256(whole.body)).toBe(media.checksum);
        // Instance B's own disk holds none of it (it keeps only its secrets key there).
        expect((await filesUnder(otherDisk)).filter((name) => name.startsWith('media'))).toEqual([]);
      } finally {
        await instanceB.close();
        await rm(otherDisk, { recursive: true, force: true });
      }
    });

    it('redirects downloads to a presigned GET of the object with MEDIA_PRESIGNED_DOWNLOADS, served as the media item', async () => {
      const presigning = await environment.start({ MEDIA_PRESIGNED_DOWNLOADS: 'true' });
      const bytes = randomBytes(4096);
      const media = await uploaded(bytes, 'signed photo.png', 'image/png');

      const redirect = await presigning.api().get(`/api/v1/media/${media.id}/file`).expect(302);
      const location = new URL(redirect.headers.location);
      expect(location.origin).toBe(s3!.endpoint);
      expect(location.pathname).toMatch(new RegExp(`^/${s3!.bucket}/${S3_PREFIX}/[A-Za-z0-9_-]+$`));
      expect(location.searchParams.get('X-Amz-Expires')).toBe('300');
      expect(redirect.headers['cache-control']).toBe('private, max-age=60');

      // What a browser does next: the same Range, straight to the bucket.
      const part = await fetch(location, { headers: { range: 'bytes=100-199' } });
      expect(part.status).toBe(206);
      expect(Buffer.compare(Buffer.from(await part.arrayBuffer()), bytes.subarray(100, 200))).toBe(0);
      expect(part.headers.get('content-type')).toBe('image/png');
      expect(part.headers.get('content-disposition')).toBe("inline; filename*=UTF-8''signed%20photo.png");
      await presigning.close();
    });

    it('fails the boot with one line naming S3_BUCKET when the bucket does not exist', async () => {
      const before = await stored.names();
      const boot = environment.start({ S3_BUCKET: 'no-such-bucket' });
      await expect(boot).rejects.toBeInstanceOf(StartupError);
      const { message } = (await boot.catch((error: Error) => error)) as Error;
      expect(message).toMatch(/bucket "no-such-bucket" at http:\/\/127\.0\.0\.1:\d+ does not exist; check S3_BUCKET/);
      expect(message).not.toContain('\n');
      expect(await stored.names()).toEqual(before);
    });

    it('fails the boot with one line naming the AWS credential variables when S3 refuses them', async () => {
      const accessKey = process.env.AWS_ACCESS_KEY_ID;
      process.env.AWS_ACCESS_KEY_ID = 'AKIAWRONGWRONGWRONG0';
      try {
        const boot = environment.start();
        await expect(boot).rejects.toThrow(/refused Strata's credentials \(InvalidAccessKeyId\); check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
      } finally {
        process.env.AWS_ACCESS_KEY_ID = accessKey;
      }
    });
  }

  it('answers 400 to a non-UUID id and 404 to a missing one', async () => {
    for (const path of ['/api/v1/media/not-a-uuid', '/api/v1/media/not-a-uuid/file']) {
      const response = await api().get(path).expect(400);
      expect(response.body.errors).toHaveProperty('id');
    }
    await api().patch('/api/v1/media/not-a-uuid').send({ altText: 'x' }).expect(400);
    await api().delete('/api/v1/media/not-a-uuid').expect(400);

    const missing = '0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f';
    const notFound = await api().get(`/api/v1/media/${missing}`).expect(404);
    expect(notFound.body).toMatchObject({ status: 404, detail: `Media item ${missing} does not exist.` });
    await api().get(`/api/v1/media/${missing}/file`).expect(404);
    await api().patch(`/api/v1/media/${missing}`).send({ altText: 'x' }).expect(404);
    await api().delete(`/api/v1/media/${missing}`).expect(404);
  });
});
