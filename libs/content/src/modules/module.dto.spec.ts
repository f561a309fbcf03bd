import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CONTENT_LIMITS, CreateModuleDto, MAX_POSITION, ModuleDto, ModuleListQueryDto, UpdateModuleDto } from './module.dto';
import { ModuleEntity } from './module.entity';

/** The field names that fail validation, with the options the global pipe uses. */
function invalidFields(dto: new () => object, body: Record<string, unknown>): string[] {
  const errors = validateSync(plainToInstance(dto, body), { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  return errors.map((error) => error.property);
}

const PAGE_ID = '0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f';
const valid = { kind: 'hero', title: 'Welcome' };

/** `{ a: { a: ... } }` nested `levels` deep. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let level = 1; level < levels; level++) value = { a: value };
  return value;
}

describe('CreateModuleDto', () => {
  it('accepts a block on a page, on no page, or with pageId left out', () => {
    expect(invalidFields(CreateModuleDto, { ...valid, pageId: PAGE_ID })).toEqual([]);
    expect(invalidFields(CreateModuleDto, { ...valid, pageId: null })).toEqual([]);
    expect(invalidFields(CreateModuleDto, valid)).toEqual([]);
  });

  it.each([['page-1'], [''], [42]])('refuses pageId %j', (pageId) => {
    expect(invalidFields(CreateModuleDto, { ...valid, pageId })).toEqual(['pageId']);
  });

  it.each([['Hero'], ['1col'], ['-x'], ['two_words'], ['a'.repeat(65)], ['']])('refuses kind %j', (kind) => {
    expect(invalidFields(CreateModuleDto, { ...valid, kind })).toEqual(['kind']);
  });

  it('accepts kinds up to 64 characters of a-z, 0-9 and -', () => {
    expect(invalidFields(CreateModuleDto, { ...valid, kind: `a${'b-1'.repeat(21)}` })).toEqual([]);
  });

  it('requires kind and a title of 1 to 500 characters', () => {
    expect(invalidFields(CreateModuleDto, { title: 'x' })).toEqual(['kind']);
    expect(invalidFields(CreateModuleDto, { ...valid, title: '' })).toEqual(['title']);
    expect(invalidFields(CreateModuleDto, { ...valid, title: 'x'.repeat(501) })).toEqual(['title']);
  });

  it('bounds content by depth and size, more generously than metadata', () => {
    expect(invalidFields(CreateModuleDto, { ...valid, content: nested(CONTENT_LIMITS.maxDepth) })).toEqual([]);
    expect(invalidFields(CreateModuleDto, { ...valid, content: nested(CONTENT_LIMITS.maxDepth + 1) })).toEqual(['content']);
    expect(invalidFields(CreateModuleDto, { ...valid, content: { text: 'x'.repeat(64 * 1024) } })).toEqual([]);
    expect(invalidFields(CreateModuleDto, { ...valid, content: { text: 'x'.repeat(CONTENT_LIMITS.maxBytes) } })).toEqual(['content']);
    expect(invalidFields(CreateModuleDto, { ...valid, content: nested(9), metadata: nested(9) })).toEqual(['metadata']);
  });

  it.each([[[1]], ['text'], [null]])('refuses content %j (it must be an object)', (content) => {
    expect(invalidFields(CreateModuleDto, { ...valid, content })).toEqual(['content']);
  });

  it('takes positions from 0 to MAX_POSITION as integers only', () => {
    expect(invalidFields(CreateModuleDto, { ...valid, position: 0 })).toEqual([]);
    expect(invalidFields(CreateModuleDto, { ...valid, position: MAX_POSITION })).toEqual([]);
    for (const position of [-1, MAX_POSITION + 1, 1.5, '3']) {
      expect(invalidFields(CreateModuleDto, { ...valid, position })).toEqual(['position']);
    }
  });

  it('refuses unknown fields', () => {
    expect(invalidFields(CreateModuleDto, { ...valid, version: 7 })).toEqual(['version']);
  });
});

describe('UpdateModuleDto', () => {
  it('takes any subset of the create fields, with the same rules', () => {
    expect(invalidFields(UpdateModuleDto, {})).toEqual([]);
    expect(invalidFields(UpdateModuleDto, { pageId: null })).toEqual([]);
    expect(invalidFields(UpdateModuleDto, { kind: 'Bad Kind', id: PAGE_ID }).sort()).toEqual(['id', 'kind']);
  });

  it.each([['title'], ['kind'], ['content'], ['position']])('refuses a null %s (only pageId is nullable)', (field) => {
    expect(invalidFields(UpdateModuleDto, { [field]: null })).toEqual([field]);
  });
});

describe('ModuleListQueryDto', () => {
  it('filters by a page UUID and a kind (case-insensitively)', () => {
    const query = plainToInstance(ModuleListQueryDto, { pageId: PAGE_ID, kind: 'Hero' });
    expect(validateSync(query)).toEqual([]);
    expect(query.kind).toBe('hero');
    expect(invalidFields(ModuleListQueryDto, { pageId: 'home' })).toEqual(['pageId']);
  });
});

describe('ModuleDto.from', () => {
  it('maps every field and serializes timestamps as ISO-8601', () => {
    const entity: ModuleEntity = {
      id: PAGE_ID,
      pageId: null,
      kind: 'hero',
      title: 'Welcome',
      content: { heading: 'Hi' },
      position: 3,
      tags: ['home'],
      metadata: { a: 1 },
      version: 2,
      createdAt: new Date('2026-01-02T03:04:05.006Z'),
      updatedAt: new Date('2026-01-02T03:04:06.007Z'),
    };
    expect(ModuleDto.from(entity)).toEqual({
      ...entity,
      createdAt: '2026-01-02T03:04:05.006Z',
      updatedAt: '2026-01-02T03:04:06.007Z',
    });
  });
});
