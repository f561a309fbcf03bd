import type { ContentKind } from '@strata/content';

/** One row of the graph statement: a node (with its depth) or an edge between two nodes. */
export interface GraphRow {
  kind: 'node' | 'edge';
  id: string | null;
  node_type: ContentKind | null;
  node_id: string | null;
  depth: number | null;
  source_type: ContentKind | null;
  source_id: string | null;
  target_type: ContentKind | null;
  target_id: string | null;
  type: string | null;
}

/**
 * The neighbourhood of one item in ONE statement. `walk` is a breadth-first recursive CTE that
 * follows links in both directions; its rows are (node, depth) and it is a UNION (not UNION ALL),
 * so each level holds each node at most once and a cycle (A→B→C→A) only repeats a node at a
 * greater depth until `depth` stops it: the walk always ends, after at most depth × nodes rows.
 * `nodes` keeps each node once, at its smallest depth, nearest first, and at most `limit + 1` of
 * them (the extra one says the answer was truncated). The edges are the outgoing links of those
 * nodes, one index scan each; the caller keeps those whose target is a node too (a join on both
 * ends here is planned as a nested loop over the CTE, whose size the planner cannot estimate).
 *
 * $1 root type, $2 root id, $3 depth, $4 stored types to follow (null: all), $5 node limit + 1.
 */
export const GRAPH_SQL = `
WITH RECURSIVE walk(node_type, node_id, depth) AS (
    SELECT $1::varchar, $2::uuid, 0
  UNION
    SELECT CASE WHEN r.source_type = w.node_type AND r.source_id = w.node_id THEN r.target_type ELSE r.source_type END,
           CASE WHEN r.source_type = w.node_type AND r.source_id = w.node_id THEN r.target_id ELSE r.source_id END,
           w.depth + 1
      FROM walk w
      JOIN relationships r
        ON (r.source_type = w.node_type AND r.source_id = w.node_id)
        OR (r.target_type = w.node_type AND r.target_id = w.node_id)
     WHERE w.depth < $3 AND ($4::varchar[] IS NULL OR r.type = ANY($4::varchar[]))
),
nodes AS (
  SELECT node_type, node_id, min(depth) AS depth
    FROM walk
   GROUP BY node_type, node_id
   ORDER BY min(depth), node_type, node_id
   LIMIT $5
)
SELECT 'node' AS kind, NULL::uuid AS id, node_type, node_id, depth,
       NULL::varchar AS source_type, NULL::uuid AS source_id, NULL::varchar AS target_type, NULL::uuid AS target_id, NULL::varchar AS type
  FROM nodes
UNION ALL
SELECT 'edge', r.id, NULL, NULL, NULL, r.source_type, r.source_id, r.target_type, r.target_id, r.type
  FROM nodes s
  JOIN relationships r ON r.source_type = s.node_type AND r.source_id = s.node_id
 WHERE $4::varchar[] IS NULL OR r.type = ANY($4::varchar[])`;
