/**
 * The phases of a no-op `berth diff`, timed in one process with the CLI's own modules: what
 * the whole-process figure is made of. Bundled and run by run.mjs; CPU time (user + sys) per
 * phase, since wall time on a shared machine mostly measures the neighbours.
 *
 *   node phases.mjs <app dir>
 */
const t0 = process.cpuUsage();
let last = t0;
const phases: [string, number][] = [];
const lap = (name: string): void => {
  const now = process.cpuUsage();
  phases.push([name, (now.user - last.user + now.system - last.system) / 1000]);
  last = now;
};
const { synthApp } = await import('../../packages/cli/src/load/synth-app.ts');
const { readSecrets } = await import('../../packages/cli/src/load/secrets.ts');
const { renderPlan } = await import('../../packages/cli/src/render/plan.ts');
const { LocalStateStore, plan } = await import('@berth/engine');
lap('module imports');
const appDir = process.argv[2];
if (!appDir) throw new Error('usage: phases <app dir>');
const { graphs } = await synthApp(appDir, undefined);
lap('load cluster.ts + synth');
const graph = graphs[0];
if (!graph) throw new Error('no cluster');
const state = await new LocalStateStore({ dir: `${appDir}/.berth` }).read(graph.cluster);
lap('read + validate state');
const secrets = readSecrets(graph, appDir, process.env, state?.lineage ?? '');
const p = plan({ graph, state, secretVersions: secrets.versions });
lap('plan');
renderPlan(p, { color: false });
lap('render');
process.stdout.write(`${JSON.stringify(phases)}\n`);
