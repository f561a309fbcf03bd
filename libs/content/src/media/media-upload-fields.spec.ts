import { parseUploadFields } from './media-upload-fields';

const parse = (entries: Record<string, unknown[]>) => parseUploadFields(new Map(Object.entries(entries)));

describe('parseUploadFields', () => {
  it('accepts no fields at all', () => {
    expect(parse({}).errors).toEqual({});
  });

  it('decodes tags from a JSON array or from repeated fields, and metadata from JSON text', () => {
    expect(parse({ tags: ['["a","b"]'] }).fields.tags).toEqual(['a', 'b']);
    expect(parse({ tags: ['a', 'b'] }).fields.tags).toEqual(['a', 'b']);
    expect(parse({ tags: ['solo'] }).fields.tags).toEqual(['solo']);
    // Comma-separated, as Swagger UI's Try it out sends an array field of a multipart form.
    expect(parse({ tags: ['team,office'] }).fields.tags).toEqual(['team', 'office']);
    expect(parse({ tags: ['news, featured', 'extra'] }).fields.tags).toEqual(['news', 'featured', 'extra']);
    expect(Object.keys(parse({ tags: ['ok,'] }).errors)).toEqual(['tags']);
    const parsed = parse({ altText: ['A cat'], metadata: ['{"credit":"Jane"}'] });
    expect(parsed.errors).toEqual({});
    expect(parsed.fields).toMatchObject({ altText: 'A cat', metadata: { credit: 'Jane' } });
  });

  it('takes parts already decoded from application/json as they are', () => {
    expect(parse({ metadata: [{ a: 1 }], tags: [['x']] }).fields).toMatchObject({ metadata: { a: 1 }, tags: ['x'] });
  });

  it('reports every bad field, the way a JSON body is validated', () => {
    const { errors } = parse({
      metadata: ['{not json'],
      altText: ['one', 'two'],
      tags: ['["ok", "bad tag!"]'],
      extra: ['x'],
    });
    expect(Object.keys(errors).sort()).toEqual(['altText', 'extra', 'metadata', 'tags']);
    expect(errors.metadata[0]).toMatch(/JSON object/);
    expect(errors.extra[0]).toMatch(/should not exist/);
  });

  it('refuses metadata that is JSON but not an object, and over-long alt text', () => {
    expect(Object.keys(parse({ metadata: ['[1,2]'], altText: ['x'.repeat(1001)] }).errors).sort()).toEqual(['altText', 'metadata']);
    expect(Object.keys(parse({ tags: ['[1, 2]'] }).errors)).toEqual(['tags']);
  });
});
