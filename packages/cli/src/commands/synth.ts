import { closeSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { graphChunks } from '@berth/core';
import { APP_OPTIONS, paramFlags, parse } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { resolveAppFile } from '../load/program.ts';
import { synthApp } from '../load/synth-app.ts';
import { diagnosticsData, writeWarnings } from '../render/diagnostics.ts';
import { kubernetesManifest } from './export-kubernetes.ts';

export const SYNTH_HELP = `berth synth [--app cluster.ts] [--out dir] [--json]

Compiles the program and writes one resource graph per cluster to <out>/<cluster>.graph.json
(default out: berth.out beside cluster.ts), and for a cluster whose target is kubernetes its
manifests, validated against Kubernetes' schemas, to <out>/<cluster>.k8s.yaml. Nothing is written when the program has problems,
and graphs a previous run left there are removed, so no stale graph is mistaken for this one.

  --app FILE   the program (default ./cluster.ts)
  --out DIR    where graphs go (default berth.out next to the program)
  --set N=V    set a parameter (app.param) for this run (repeatable)
  --env NAME   read parameters from this environment of berth.params.json (default: its "default")
  --json       also print { graphs, ok, warnings } (or { ok: false, errors, warnings }) as JSON on stdout

Policies (new Policy(app, …)) are checked here: an error fails synth (exit 1) with every other
problem; a warning is printed on stderr and synth goes on.
`;

export async function synthCommand(ctx: CommandContext): Promise<number> {
  const { values } = parse('synth', ctx.args, APP_OPTIONS);
  if (values.help) {
    ctx.stdout.write(SYNTH_HELP);
    return 0;
  }
  const appFile = resolveAppFile(ctx.cwd, values.app);
  const outDir = values.out ? resolve(ctx.cwd, values.out) : join(dirname(appFile), 'berth.out');
  let graphs: Awaited<ReturnType<typeof synthApp>>['graphs'];
  let warnings: Awaited<ReturnType<typeof synthApp>>['warnings'];
  let params: Awaited<ReturnType<typeof synthApp>>['params'];
  // Manifests of kubernetes clusters, made (and validated) before anything is written.
  const manifests = new Map<string, string>();
  try {
    let appDir: string;
    ({ graphs, warnings, params, program: { appDir } } = await synthApp(ctx.cwd, values.app, paramFlags(values)));
    for (const g of graphs) if (g.target.kind === 'kubernetes') manifests.set(g.cluster, await kubernetesManifest(g, appDir));
  } catch (e) {
    removeGraphs(outDir, new Set());
    throw e;
  }
  mkdirSync(outDir, { recursive: true });
  removeGraphs(outDir, new Set([...graphs.map((g) => `${g.cluster}.graph.json`), ...[...manifests.keys()].map((c) => `${c}.k8s.yaml`)]));
  for (const [cluster, text] of manifests) {
    const file = join(outDir, `${cluster}.k8s.yaml`);
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
  }
  const written: string[] = [];
  for (const g of graphs) {
    const file = join(outDir, `${g.cluster}.graph.json`);
    // Temp file + rename: a reader never sees half a graph. Written piece by piece, so a large
    // graph never exists as one string (formatGraph's bytes, see graphChunks).
    const fd = openSync(`${file}.tmp`, 'w');
    try {
      for (const chunk of graphChunks(g)) writeSync(fd, chunk);
    } finally {
      closeSync(fd);
    }
    renameSync(`${file}.tmp`, file);
    written.push(file);
  }
  if (values.json) {
    // Synthesized graphs are in canonical key order already; `graphs` sorts before `ok`.
    ctx.stdout.write(`${JSON.stringify({ graphs, ok: true, params, warnings: diagnosticsData(warnings, ctx.cwd) })}\n`);
    return 0;
  }
  writeWarnings(warnings, ctx.stderr, ctx);
  for (const [i, g] of graphs.entries()) {
    const k8s = manifests.has(g.cluster) ? `, ${relative(ctx.cwd, join(outDir, `${g.cluster}.k8s.yaml`))}` : '';
    ctx.stdout.write(`${g.cluster}: ${g.resources.length} resources → ${relative(ctx.cwd, written[i] as string)}${k8s}\n`);
  }
  return 0;
}

/** Removes the graphs (and half-written temp files) in `outDir` that are not in `keep`. */
function removeGraphs(outDir: string, keep: ReadonlySet<string>): void {
  let names: string[];
  try {
    names = readdirSync(outDir);
  } catch {
    return; // no folder yet: nothing stale
  }
  for (const n of names) {
    const ours = n.endsWith('.graph.json') || n.endsWith('.k8s.yaml');
    if ((ours && !keep.has(n)) || n.endsWith('.graph.json.tmp') || n.endsWith('.k8s.yaml.tmp')) rmSync(join(outDir, n), { force: true });
  }
}
