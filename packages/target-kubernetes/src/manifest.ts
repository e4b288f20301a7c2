/**
 * The manifests of a Kubernetes cluster as one YAML stream, in apply order: what `berth synth`
 * writes beside the graph (`<cluster>.k8s.yaml`) and `berth export kubernetes` prints. Validated
 * against Kubernetes' schemas first; deterministic bytes (sorted keys, sorted objects).
 */
import { sortDiagnostics, SynthFailure, type GraphJson } from '@berth/core';
import yaml from 'js-yaml';
import { translateGraph, type KubeObject, type KubeTranslateContext } from './translate.ts';
import { validateObjects } from './validate.ts';

/** Dependency order of kinds: what others need comes first (a Namespace before its objects…). */
export const APPLY_ORDER = ['Namespace', 'PriorityClass', 'ConfigMap', 'Secret', 'PersistentVolumeClaim', 'NetworkPolicy', 'Job', 'Deployment', 'Service'] as const;

export function kindRank(kind: string): number {
  const i = (APPLY_ORDER as readonly string[]).indexOf(kind);
  return i < 0 ? APPLY_ORDER.length : i;
}

/** Objects in apply order (kind, then name): the order deploy sends them and synth writes them. */
export function inApplyOrder(objects: Iterable<KubeObject>): KubeObject[] {
  return [...objects].sort((a, b) => kindRank(a.kind) - kindRank(b.kind) || (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
}

/** Translates and validates; throws a SynthFailure with every located problem. */
export function manifestsOf(graph: GraphJson, ctx: KubeTranslateContext = {}): { byResource: ReadonlyMap<string, readonly KubeObject[]>; objects: KubeObject[] } {
  const byResource = translateGraph(graph, ctx);
  const diags = validateObjects(graph, byResource);
  if (diags.length > 0) throw new SynthFailure(sortDiagnostics(diags));
  return { byResource, objects: inApplyOrder([...byResource.values()].flat()) };
}

/** One YAML document per object. */
export function toYamlStream(objects: readonly KubeObject[]): string {
  return objects.map((o) => `---\n${yaml.dump(o, { sortKeys: true, lineWidth: -1, noRefs: true })}`).join('');
}

/** The cluster's manifests as synth writes them (Secret data absent: values exist only at deploy). */
export function manifestYaml(graph: GraphJson): string {
  return toYamlStream(manifestsOf(graph, { builtImages: 'placeholder' }).objects);
}
