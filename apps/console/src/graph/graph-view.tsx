import { useQuery } from '@tanstack/preact-query';
import { useMemo, useState } from 'preact/hooks';
import { COLLECTIONS, ContentRef, GraphDto } from '../api/types';
import { ProblemView } from '../components/problem-view';
import { hrefOf } from '../routing';
import { useSession } from '../session/session';
import { layoutGraph, nodeKey, RING } from './graph-layout';

const COLOURS = { page: '#2563eb', module: '#16a34a', media: '#ea580c' } as const;

/**
 * The item's neighbourhood from /graph as a picture: nodes on rings by hop distance, directed
 * edges labelled with their type. Click a node (or focus it and press Enter) to recentre on it.
 */
export function GraphView({ root }: { root: ContentRef }) {
  const { api } = useSession();
  const [depth, setDepth] = useState(2);
  const graph = useQuery({
    queryKey: ['graph', root.type, root.id, depth],
    queryFn: () => api.get<GraphDto>(`${COLLECTIONS[root.type]}/${root.id}/graph`, { depth }),
  });
  const placed = useMemo(() => (graph.data ? layoutGraph(graph.data) : null), [graph.data]);
  const extent = RING * (depth + 0.7);
  const recentre = (ref: ContentRef) => (location.hash = hrefOf('relationships', ref.type, ref.id));
  return (
    <section class="graph">
      <div class="row">
        <h2>Graph</h2>
        <label>
          Depth{' '}
          <select name="depth" value={depth} onChange={(event) => setDepth(Number(event.currentTarget.value))}>
            {[1, 2, 3, 4, 5].map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </label>
        {graph.data?.truncated ? <span class="muted">Showing the first {graph.data.nodeLimit} nodes.</span> : null}
      </div>
      <ProblemView error={graph.error} />
      {placed ? (
        <svg class="graph-canvas" viewBox={`${-extent} ${-extent} ${2 * extent} ${2 * extent}`} role="group" aria-label="Relationship graph">
          <defs>
            <marker id="arrow" viewBox="0 0 10 10" refX="22" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" class="arrow" />
            </marker>
          </defs>
          {placed.edges.map((edge) => (
            <g key={edge.id} class="edge" data-edge-type={edge.type} data-source={edge.source.key} data-target={edge.target.key}>
              <line x1={edge.source.x} y1={edge.source.y} x2={edge.target.x} y2={edge.target.y} marker-end="url(#arrow)" />
              <text x={(edge.source.x + edge.target.x) / 2} y={(edge.source.y + edge.target.y) / 2 - 4}>
                {edge.type}
              </text>
            </g>
          ))}
          {placed.nodes.map((node) => {
            const isRoot = node.key === nodeKey(root);
            return (
              <g
                key={node.key}
                class={`node${isRoot ? ' root' : ''}`}
                data-node={node.key}
                transform={`translate(${node.x} ${node.y})`}
                // Lower-case: on an SVG element the attribute name is case-sensitive.
                tabindex={0}
                role="button"
                aria-label={`${node.type} ${node.title ?? node.id}${isRoot ? ' (centre)' : ': recentre here'}`}
                onClick={() => recentre(node)}
                onKeyDown={(event) => {
                  if (event.key === 'Enter' || event.key === ' ') recentre(node);
                }}
              >
                <circle r={isRoot ? 16 : 12} fill={COLOURS[node.type]} />
                <text y={isRoot ? 30 : 26}>{(node.title ?? node.id).slice(0, 24)}</text>
              </g>
            );
          })}
        </svg>
      ) : graph.isPending ? (
        <p class="muted">Loading…</p>
      ) : null}
      <p class="legend">
        <span class="swatch swatch-page" /> page <span class="swatch swatch-module" /> module <span class="swatch swatch-media" /> media
      </p>
    </section>
  );
}
