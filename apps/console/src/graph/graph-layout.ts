import { forceCollide, forceLink, forceManyBody, forceRadial, forceSimulation, SimulationLinkDatum, SimulationNodeDatum } from 'd3-force';
import type { ContentRef, GraphDto } from '../api/types';

export interface PlacedNode extends ContentRef {
  key: string;
  title: string | null;
  depth: number;
  x: number;
  y: number;
}

export interface PlacedEdge {
  id: string;
  type: string;
  source: PlacedNode;
  target: PlacedNode;
}

export const nodeKey = (ref: ContentRef) => `${ref.type}:${ref.id}`;

/** Distance between rings: the root in the middle, each hop one ring further out. */
export const RING = 110;

/**
 * Places a /graph neighbourhood for drawing: the root at the centre and every node on the ring
 * of its hop distance (a radial force), spread along it by repulsion, linked nodes pulled
 * together. Run to rest at once (no animation), so the same graph gives the same picture.
 */
export function layoutGraph(graph: GraphDto): { nodes: PlacedNode[]; edges: PlacedEdge[] } {
  type SimNode = PlacedNode & SimulationNodeDatum;
  const nodes: SimNode[] = graph.nodes.map((node, index) => {
    const angle = (index / Math.max(graph.nodes.length, 1)) * 2 * Math.PI;
    return { ...node, key: nodeKey(node), x: Math.cos(angle) * node.depth * RING, y: Math.sin(angle) * node.depth * RING };
  });
  const byKey = new Map(nodes.map((node) => [node.key, node]));
  const links: (SimulationLinkDatum<SimNode> & { id: string; type: string })[] = graph.edges
    .filter((edge) => byKey.has(nodeKey(edge.source)) && byKey.has(nodeKey(edge.target)))
    .map((edge) => ({ id: edge.id, type: edge.type, source: byKey.get(nodeKey(edge.source))!, target: byKey.get(nodeKey(edge.target))! }));
  const root = byKey.get(nodeKey(graph.root));
  if (root) {
    root.fx = 0;
    root.fy = 0;
  }
  const simulation = forceSimulation(nodes)
    .force('charge', forceManyBody().strength(-200))
    .force(
      'link',
      forceLink(links)
        .distance(RING * 0.8)
        .strength(0.2),
    )
    .force('ring', forceRadial<SimNode>((node) => node.depth * RING).strength(1))
    .force('collide', forceCollide(28))
    .stop();
  simulation.tick(300);
  return {
    nodes: nodes.map((node) => ({ ...node, x: node.x ?? 0, y: node.y ?? 0 })),
    edges: links.map((link) => ({ id: link.id, type: link.type, source: link.source as SimNode, target: link.target as SimNode })),
  };
}
