/**
 * `berth export <format>`: a cluster written out in another tool's format. Each format is one
 * entry of EXPORTERS (loaded lazily): a function from the graph to files. Adding a format is
 * adding a line there.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { BerthError, type GraphJson } from '@berth/core';
import { APP_OPTIONS, paramFlags, parse } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { synthApp } from '../load/synth-app.ts';
import { writeWarnings } from '../render/diagnostics.ts';

/** What an exporter writes: the main file's text, files beside it, and what it could not carry over. */
export interface Exported {
  readonly text: string;
  readonly files: ReadonlyArray<{ readonly path: string; readonly content: string }>;
  readonly notes: readonly string[];
}

/** An exporter: a cluster's graph → files, given where the main file goes and where cluster.ts is. */
export type Exporter = (graph: GraphJson, where: { readonly outFile: string; readonly appDir: string }) => Exported | Promise<Exported>;

interface Format {
  readonly summary: string;
  /** The default file name under berth.out/, for a cluster. */
  readonly defaultFile: (cluster: string) => string;
  readonly load: () => Promise<Exporter>;
  /** Printed on stdout unless --out is given (for piping into another tool), instead of written. */
  readonly stdout?: boolean;
  /** Only clusters it can express; with none, the hint says what to change. */
  readonly accepts?: { readonly test: (graph: GraphJson) => boolean; readonly none: string; readonly hint: string };
}

/** The formats, by name. */
const EXPORTERS: Record<string, Format> = {
  compose: {
    summary: 'a docker-compose file for a single-host cluster (checked with docker-compose config)',
    defaultFile: (c) => `${c}.compose.yaml`,
    load: async () => {
      const { composeOf } = await import('../export/compose.ts');
      return (graph, { outFile, appDir }) => composeOf(graph, { outDir: dirname(outFile), appDir, filesDir: join(dirname(outFile), `${basename(outFile, extname(outFile))}.files`) });
    },
  },
  kubernetes: {
    summary: 'the manifests of each kubernetes cluster, one YAML stream on stdout (or --out), validated against Kubernetes\' schemas; Secrets without data',
    defaultFile: (c) => `${c}.k8s.yaml`,
    stdout: true,
    accepts: { test: (g) => g.target.kind === 'kubernetes', none: 'no cluster of the program targets kubernetes', hint: "give a Cluster target: { kubernetes: { namespace: '…' } } to export its manifests" },
    load: async () => {
      const { kubernetesManifest } = await import('./export-kubernetes.ts');
      return async (graph, { appDir }) => ({ text: await kubernetesManifest(graph, appDir), files: [], notes: [] });
    },
  },
};

export const EXPORT_HELP = `berth export <format> [--app cluster.ts] [--cluster NAME] [--out FILE]

Writes a cluster in another tool's format. Formats:
${Object.entries(EXPORTERS)
  .map(([n, f]) => `  ${n.padEnd(11)} ${f.summary}`)
  .join('\n')}

  --out FILE       where the file goes (default berth.out/<cluster>.<format>.yaml); files it
                   needs (Config contents) go beside it, in <name>.files/
  --cluster NAME   the cluster to export (required with --out when the program has several)
  --set, --env     parameters, as for synth
`;

export async function exportCommand(ctx: CommandContext): Promise<number> {
  const { values, positionals } = parse('export', ctx.args, { ...APP_OPTIONS, cluster: { type: 'string' } }, true);
  if (values.help) {
    ctx.stdout.write(EXPORT_HELP);
    return 0;
  }
  const [name, ...extra] = positionals;
  const format = name === undefined ? undefined : EXPORTERS[name];
  if (!format || extra.length > 0) {
    throw new BerthError('cli.usage', name === undefined ? 'berth export: which format?' : format ? `berth export ${name}: unexpected ${extra.join(' ')}` : `berth export: no format "${name}"`, {
      hint: `formats: ${Object.keys(EXPORTERS).join(', ')} (berth export compose)`,
    });
  }
  const { program, graphs, warnings } = await synthApp(ctx.cwd, values.app, paramFlags(values));
  writeWarnings(warnings, ctx.stderr, ctx);
  const named = values.cluster ? graphs.filter((g) => g.cluster === values.cluster) : graphs;
  if (named.length === 0) throw new BerthError('cli.usage', `no cluster "${values.cluster ?? ''}" in the program`, { hint: `clusters: ${graphs.map((g) => g.cluster).join(', ')}` });
  const chosen = format.accepts ? named.filter(format.accepts.test) : named;
  if (chosen.length === 0 && format.accepts) throw new BerthError('cli.usage', values.cluster ? `cluster "${values.cluster}": ${format.accepts.none}` : format.accepts.none, { hint: format.accepts.hint });
  if (values.out !== undefined && chosen.length > 1) {
    throw new BerthError('cli.usage', `the program has ${chosen.length} clusters; --out names one file`, { hint: `pass --cluster with one of: ${chosen.map((g) => g.cluster).join(', ')}` });
  }
  const exporter = await format.load();
  // Every cluster is translated before anything is written: a refusal leaves no half export.
  const outputs = await Promise.all(
    chosen.map(async (graph) => {
      const outFile = values.out !== undefined ? resolve(ctx.cwd, values.out) : join(program.appDir, 'berth.out', format.defaultFile(graph.cluster));
      return { graph, outFile, exported: await exporter(graph, { outFile, appDir: program.appDir }) };
    }),
  );
  if (format.stdout && values.out === undefined) {
    for (const { exported } of outputs) ctx.stdout.write(exported.text);
    return 0;
  }
  for (const { graph, outFile, exported } of outputs) {
    for (const f of exported.files) writeAtomic(f.path, f.content);
    writeAtomic(outFile, exported.text);
    ctx.stdout.write(`${graph.cluster}: ${name} → ${relative(ctx.cwd, outFile) || outFile}${exported.files.length > 0 ? ` (+${exported.files.length} file${exported.files.length === 1 ? '' : 's'})` : ''}\n`);
    for (const n of exported.notes) ctx.stderr.write(`  note: ${n}\n`);
  }
  return 0;
}

function writeAtomic(file: string, content: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, content);
  renameSync(`${file}.tmp`, file);
}
