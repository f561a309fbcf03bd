import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';

type Ref = { type: 'page' | 'module' | 'media'; id: string };
type Graph = {
  nodes: Array<Ref & { depth: number; title: string }>;
  edges: Array<{ source: Ref; target: Ref; type: string }>;
  truncated: boolean;
  nodeLimit: number;
};

/** GET /{collection}/{id}/graph: one recursive CTE, cycle-safe, bounded by depth and by a node limit. */
describe('relationship graphs', () => {
  let environment: TestEnvironment;
  let strata: TestApp;

  beforeAll(async () => {
    environment = await createTestEnvironment();
    strata = await environment.start();
  });
  afterAll(() => environment?.teardown());

  const api = () => strata.api();
  let slugs = 0;
  const page = async (title: string): Promise<Ref> => ({
    type: 'page',
    id: (
      await api()
        .post('/api/v1/pages')
        .send({ slug: `graph-${++slugs}`, title })
        .expect(201)
    ).body.id,
  });
  const link = (source: Ref, target: Ref, type = 'references') => api().post('/api/v1/relationships').send({ source, target, type }).expect(201);
  const graph = async (ref: Ref, query: Record<string, unknown> = {}): Promise<Graph> =>
    (await api().get(`/api/v1/pages/${ref.id}/graph`).query(query).expect(200)).body;
  const titles = (result: Graph) => result.nodes.map((node) => `${node.title}@${node.depth}`);

  it('walks a cycle A→B→C→A to its end, each node once at its nearest depth', async () => {
    const [a, b, c] = [await page('A'), await page('B'), await page('C')];
    await link(a, b);
    await link(b, c);
    await link(c, a);
    const result = await graph(a, { depth: 5 });
    expect(titles(result).sort()).toEqual(['A@0', 'B@1', 'C@1']);
    expect(result.edges).toHaveLength(3);
    expect(result.truncated).toBe(false);
  });

  it('stops at the asked depth and refuses a depth over 5', async () => {
    const chain = [await page('L0'), await page('L1'), await page('L2'), await page('L3'), await page('L4')];
    for (let index = 1; index < chain.length; index++) await link(chain[index - 1], chain[index], 'parent');
    expect(titles(await graph(chain[0], { depth: 2 }))).toEqual(['L0@0', 'L1@1', 'L2@2']);
    expect((await graph(chain[0], { depth: 2 })).edges).toHaveLength(2);
    // Links are followed in both directions: from the middle, two steps reach both ends.
    expect(titles(await graph(chain[2], { depth: 2 })).sort()).toEqual(['L0@2', 'L1@1', 'L2@0', 'L3@1', 'L4@2']);
    expect((await graph(chain[0])).nodes).toHaveLength(3);
    const tooDeep = await api().get(`/api/v1/pages/${chain[0].id}/graph?depth=6`).expect(400);
    expect(tooDeep.headers['content-type']).toContain('application/problem+json');
    expect(tooDeep.body.errors.depth).toBeDefined();
    await api().get(`/api/v1/pages/${chain[0].id}/graph?depth=0`).expect(400);
    await api().get(`/api/v1/pages/${chain[0].id}/graph?limit=1001`).expect(400);
  });

  it('answers at most the node limit, nearest first, and says it truncated', async () => {
    const hub = await page('Hub');
    for (let index = 0; index < 4; index++) {
      const spoke = await page(`Spoke ${index}`);
      await link(hub, spoke, 'gallery');
      await link(spoke, await page(`Leaf ${index}`), 'gallery');
    }
    const full = await graph(hub, { depth: 2 });
    expect(full).toMatchObject({ truncated: false, nodeLimit: 200 });
    expect(full.nodes).toHaveLength(9);

    const limited = await graph(hub, { depth: 2, limit: 5 });
    expect(limited).toMatchObject({ truncated: true, nodeLimit: 5 });
    expect(limited.nodes.map((node) => node.depth)).toEqual([0, 1, 1, 1, 1]);
    // Only edges between answered nodes.
    const answered = new Set(limited.nodes.map((node) => node.id));
    expect(limited.edges).toHaveLength(4);
    for (const edge of limited.edges) expect(answered.has(edge.source.id) && answered.has(edge.target.id)).toBe(true);
    expect((await graph(hub, { depth: 2, limit: 9 })).truncated).toBe(false);
  });

  it('follows only the asked type and its inverse', async () => {
    const [root, child, related, grandchild] = [await page('Root'), await page('Child'), await page('Related'), await page('Grandchild')];
    await link(root, child, 'parent');
    await link(grandchild, child, 'child');
    await link(root, related, 'related');
    expect(titles(await graph(root, { depth: 3, type: 'child' })).sort()).toEqual(['Child@1', 'Grandchild@2', 'Root@0']);
    expect(titles(await graph(root, { depth: 3, type: 'related' })).sort()).toEqual(['Related@1', 'Root@0']);
    await api().get(`/api/v1/pages/${root.id}/graph?type=sibling`).expect(422);
  });

  it('serves modules and media graphs at their own paths', async () => {
    const block = (await api().post('/api/v1/modules').send({ kind: 'hero', title: 'Block' }).expect(201)).body;
    const host = await page('Host');
    await link(host, { type: 'module', id: block.id }, 'parent');
    const fromBlock = (await api().get(`/api/v1/modules/${block.id}/graph`).expect(200)).body as Graph;
    expect(titles(fromBlock).sort()).toEqual(['Block@0', 'Host@1']);
    await api().get(`/api/v1/media/${block.id}/graph`).expect(404);
  });
});
