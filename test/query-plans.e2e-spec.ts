import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';

/**
 * The list and search queries the API really sends must be servable by the indexes of the
 * content migration. Tables here are small, so the planner is told to avoid sequential scans
 * (`enable_seqscan = off`): if a query still cannot use an index, EXPLAIN shows a Seq Scan.
 */
describe('query plans of content lists', () => {
  let environment: TestEnvironment;
  let strata: TestApp;
  let dataSource: DataSource;

  beforeAll(async () => {
    environment = await createTestEnvironment();
    strata = await environment.start();
    dataSource = strata.app.get<DataSource>(getDataSourceToken());
    for (let index = 0; index < 30; index++) {
      await strata
        .api()
        .post('/api/v1/pages')
        .send({ slug: `plan-${index}`, title: `Plan page ${index}`, body: 'query planning', tags: ['plan'] })
        .expect(201);
    }
  });
  afterAll(() => environment?.teardown());

  /** Runs the request and answers the SQL + parameters of the SELECT it sent to `table`. */
  async function capturedSelect(path: string, table: string): Promise<{ sql: string; parameters: unknown[] }> {
    const spy = jest.spyOn(PostgresQueryRunner.prototype, 'query');
    try {
      await strata.api().get(path).expect(200);
      const call = spy.mock.calls.find(
        ([sql]) => /^\s*(SELECT|WITH)/i.test(sql) && (sql.includes(`FROM "${table}"`) || new RegExp(`(FROM|JOIN) ${table}\\b`).test(sql)),
      );
      if (!call) throw new Error(`no SELECT on ${table} was sent for ${path}`);
      return { sql: call[0], parameters: (call[1] as unknown[] | undefined) ?? [] };
    } finally {
      spy.mockRestore();
    }
  }

  async function planOf(path: string, table = 'pages'): Promise<string> {
    const { sql, parameters } = await capturedSelect(path, table);
    return dataSource.transaction(async (manager) => {
      await manager.query('SET LOCAL enable_seqscan = off');
      const rows: Array<{ 'QUERY PLAN': string }> = await manager.query(`EXPLAIN ${sql}`, parameters);
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    });
  }

  it.each([
    ['the default newest-first list', '/api/v1/pages?limit=20', /pages_created_idx/],
    ['a later page of it (keyset)', 'NEXT:/api/v1/pages?limit=5', /pages_created_idx/],
    ['a status filter', '/api/v1/pages?status=published', /pages_status_created_idx/],
    ['a tag filter', '/api/v1/pages?tag=plan', /pages_tags_idx/],
    ['title order', '/api/v1/pages?sort=title', /pages_title_idx/],
    ['full-text and fuzzy search', '/api/v1/pages?q=planning', /pages_search_idx[\s\S]*pages_title_trgm_idx|pages_title_trgm_idx[\s\S]*pages_search_idx/],
    // each misspelt word is corrected against the search_words vocabulary, then looked up in pages_search_idx
    ['a search with typos', '/api/v1/pages?q=qeury%20plannign', /pages_search_idx/],
  ])('%s uses an index', async (_name, path, expected) => {
    let target = path;
    if (path.startsWith('NEXT:')) {
      const first = await strata.api().get(path.slice(5)).expect(200);
      target = `${path.slice(5)}&cursor=${first.body.nextCursor}`;
    }
    const plan = await planOf(target);
    expect(plan).toMatch(expected);
    expect(plan).not.toMatch(/Seq Scan on pages/);
  });

  it.each([
    ['size order', '/api/v1/media?sort=sizeBytes', /media_size_idx/],
    ['largest first', '/api/v1/media?sort=-sizeBytes', /media_size_idx/],
  ])('media %s uses an index', async (_name, path, expected) => {
    const plan = await planOf(path, 'media');
    expect(plan).toMatch(expected);
    expect(plan).not.toMatch(/Seq Scan on media/);
  });

  describe('relationship lookups', () => {
    const ids: string[] = [];

    beforeAll(async () => {
      for (let index = 0; index < 4; index++) {
        ids.push(
          (
            await strata
              .api()
              .post('/api/v1/pages')
              .send({ slug: `linked-${index}`, title: `Linked ${index}` })
              .expect(201)
          ).body.id,
        );
      }
      for (const [source, target] of [
        [0, 1],
        [1, 2],
        [2, 0],
        [3, 1],
      ]) {
        await strata
          .api()
          .post('/api/v1/relationships')
          .send({ source: { type: 'page', id: ids[source] }, target: { type: 'page', id: ids[target] }, type: 'references' })
          .expect(201);
      }
    });

    // Both directions of one item's links, the filtered list and the graph walk must each be index scans.
    it.each([
      ['outgoing links of an item', (id: string) => `/api/v1/pages/${id}/relationships?direction=out`, [/relationships_source_idx/]],
      ['incoming links of an item', (id: string) => `/api/v1/pages/${id}/relationships?direction=in`, [/relationships_target_idx/]],
      ['both directions', (id: string) => `/api/v1/pages/${id}/relationships`, [/relationships_source_idx/, /relationships_target_idx/]],
      ['the list by source', (id: string) => `/api/v1/relationships?sourceType=page&sourceId=${id}`, [/relationships_source_idx/]],
      ['the list by target', (id: string) => `/api/v1/relationships?targetType=page&targetId=${id}`, [/relationships_target_idx/]],
      ['the graph walk', (id: string) => `/api/v1/pages/${id}/graph?depth=3`, [/relationships_source_idx/, /relationships_target_idx/]],
    ])('%s uses the relationship indexes', async (_name, path, expected) => {
      const plan = await planOf(path(ids[1]), 'relationships');
      for (const index of expected) expect(plan).toMatch(index);
      expect(plan).not.toMatch(/Seq Scan on relationships/);
    });
  });
});
