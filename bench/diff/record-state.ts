/**
 * Records state for a program as if it had been deployed: synthesized in memory exactly as
 * deploy does (the CLI's own loader), then the planner's own `stateAfter` (what the executor
 * journals), plus outputs and placements shaped like the Docker driver's, written through
 * the real LocalStateStore. Bundled and run by run.mjs.
 *
 *   node record-state.mjs <app dir> <.berth dir>
 */
import { LocalStateStore, newState, plan, stateAfter, type State } from '@berth/engine';
import { synthApp } from '../../packages/cli/src/load/synth-app.ts';

const [appDir, stateDir] = process.argv.slice(2);
if (!appDir || !stateDir) throw new Error('usage: record-state <app dir> <.berth dir>');
const { graphs } = await synthApp(appDir, undefined);
const graph = graphs[0];
if (!graph) throw new Error('the program has no cluster');
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
