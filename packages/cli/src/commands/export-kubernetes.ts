/**
 * `berth export kubernetes`: the manifests of the program's kubernetes clusters as one YAML
 * stream (the bytes `berth synth` writes to <cluster>.k8s.yaml), for users who apply with
 * their own tools. Secrets are written without data: their values exist only at deploy time.
 */
import { BerthError, type GraphJson } from '@berth/core';
import type { CommandContext } from '../context.ts';
import { loadKubernetes, located } from '../kubernetes.ts';
import { synthApp } from '../load/synth-app.ts';

/** One cluster's manifests, validated; schema violations are located diagnostics. */
export async function kubernetesManifest(graph: GraphJson, appDir: string): Promise<string> {
  const k = await loadKubernetes();
  return located(appDir, () => k.manifestYaml(graph));
}

/** The export for format `kubernetes`: prints every kubernetes cluster's stream (or `--cluster`'s). */
export async function exportKubernetes(ctx: CommandContext, opts: { readonly app: string | undefined; readonly cluster: string | undefined }): Promise<number> {
  const { graphs, program } = await synthApp(ctx.cwd, opts.app);
  const chosen = graphs.filter((g) => g.target.kind === 'kubernetes' && (opts.cluster === undefined || g.cluster === opts.cluster));
  if (chosen.length === 0) {
    throw new BerthError('cli.usage', opts.cluster ? `no kubernetes cluster "${opts.cluster}" in the program` : 'no cluster of the program targets kubernetes', {
      hint: "give a Cluster target: { kubernetes: { namespace: '…' } } to export its manifests",
    });
  }
  for (const g of chosen) ctx.stdout.write(await kubernetesManifest(g, program.appDir));
  return 0;
}
