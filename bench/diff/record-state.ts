/**
 * Records state for a synthesized graph as if it had been deployed: the planner's own
 * `stateAfter` (what the executor journals), plus outputs and placements shaped like the
 * Docker driver's, written through the real LocalStateStore. Bundled and run by run.mjs.
 *
 *   node record-state.mjs <graph.json> <.berth dir>
 */
import { readFileSync } from 'node:fs';
import { GraphJson } from '@berth/core';
import { LocalStateStore, newState, plan, stateAfter, type State } from '@berth/engine';

const [graphFile, stateDir] = process.argv.slice(2);
if (!graphFile || !stateDir) throw new Error('usage: record-state <graph.json> <.berth dir>');
const graph = GraphJson.parse(JSON.parse(readFileSync(graphFile, 'utf8')));
const store = new LocalStateStore({ dir: stateDir });
const fresh = newState(graph.cluster);
const input = { graph, state: undefined, secretVersions: {} };
const applied: State = stateAfter(input, plan(input), fresh);
for (const [id, r] of Object.entries(applied.resources)) {
  const n = typeof r.props.replicas === 'number' ? r.props.replicas : 0;
  const ids = Array.from({ length: n }, (_, i) => `${id}-${i}`.padEnd(64, '0'));
  applied.resources[id] = {
    ...r,
    outputs: r.kind === 'Deployment' ? { containers: ids, image: `sha256:${'ab'.repeat(32)}` } : {},
    ...(n > 0 ? { placements: ids.map((_, i) => ({ ordinal: i, node: 'local' })) } : {}),
  };
}
const lock = await store.lock(graph.cluster, 'bench');
const written = await store.write(lock, applied);
await store.unlock(lock);
process.stdout.write(`${graph.cluster}: recorded ${Object.keys(written.resources).length} resources at serial ${written.serial}\n`);
