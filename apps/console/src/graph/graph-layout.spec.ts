import type { GraphDto } from '../api/types';
import { layoutGraph, RING } from './graph-layout';

const ref = (id: string) => ({ type: 'page' as const, id });

describe('layoutGraph', () => {
  const graph: GraphDto = {
    root: ref('a'),
    depth: 2,
    nodes: [
      { ...ref('a'), title: 'A', depth: 0 },
      { ...ref('b'), title: 'B', depth: 1 },
      { ...ref('c'), title: 'C', depth: 1 },
      { ...ref('d'), title: 'D', depth: 2 },
    ],
    edges: [
      { id: 'e1', source: ref('a'), target: ref('b'), type: 'related' },
      { id: 'e2', source: ref('c'), target: ref('a'), type: 'parent' },
      { id: 'e3', source: ref('b'), target: ref('d'), type: 'references' },
      { id: 'gone', source: ref('d'), target: ref('zz'), type: 'related' },
    ],
    truncated: false,
    nodeLimit: 200,
  };

  it('puts the root at the centre and each node near the ring of its hop distance', () => {
    const { nodes } = layoutGraph(graph);
    const distance = (key: string) => {
      const node = nodes.find((candidate) => candidate.key === key)!;
      return Math.hypot(node.x, node.y);
    };
    expect(distance('page:a')).toBe(0);
    for (const [key, depth] of [
      ['page:b', 1],
      ['page:c', 1],
      ['page:d', 2],
    ] as const) {
      expect(Math.abs(distance(key) - depth * RING)).toBeLessThan(RING * 0.35);
    }
  });

  it('keeps edges between placed nodes only, with their direction and type', () => {
    const { edges } = layoutGraph(graph);
    expect(edges.map((edge) => `${edge.source.key} -${edge.type}-> ${edge.target.key}`)).toEqual([
      'page:a -related-> page:b',
      'page:c -parent-> page:a',
      'page:b -references-> page:d',
    ]);
  });
});
