/**
 * `berth export kubernetes`: the manifests of the program's kubernetes clusters as one YAML
 * stream (the bytes `berth synth` writes to <cluster>.k8s.yaml), for users who apply with
 * their own tools. Secrets are written without data: their values exist only at deploy time.
 */
import type { GraphJson } from '@berth/core';
import { loadKubernetes, located } from '../kubernetes.ts';

/** One cluster's manifests, validated; schema violations are located diagnostics. */
export async function kubernetesManifest(graph: GraphJson, appDir: string): Promise<string> {
  const k = await loadKubernetes();
  return located(appDir, () => k.manifestYaml(graph));
}
