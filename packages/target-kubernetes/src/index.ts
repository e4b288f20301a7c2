/**
 * @berth/target-kubernetes — berth's Kubernetes target, a package of its own (docs/adr/0008):
 * a Docker user never installs a Kubernetes client. The CLI loads it with import() when a
 * Cluster's target is `kubernetes`.
 *
 *   graph ──translate (pure)──▶ objects ──validate (offline schemas)──▶ YAML (synth, export)
 *                                   └──▶ KubernetesTarget: observe · diff (SSA dry-run) · deploy (SSA, prune, await) · destroy
 */
export { kubernetesTranslator, translateGraph, kubeName, ownerLabels, serviceHost, priorityClassName, CLUSTER_OBJECTS, LABEL_CLUSTER, LABEL_MANAGED_BY, LABEL_RESOURCE, ANNOTATION_SPEC, ANNOTATION_RELEASE, NODE_PORT_RANGE, type KubeObject, type KubeTranslateContext } from './translate.ts';
export { validateObjects, fieldPath } from './validate.ts';
export { manifestsOf, manifestYaml, toYamlStream, inApplyOrder, APPLY_ORDER } from './manifest.ts';
export { openKubernetesTarget, KubernetesTarget, FIELD_MANAGER, type KubernetesTargetOptions, type TargetPreview, type ObjectPreview } from './target.ts';
export { deploymentRollout, jobRollout, type Rollout, type RolloutPhase } from './rollout.ts';
export { fieldChanges, foreignFields } from './compare.ts';
export { redact, scrub, REDACTED } from './redact.ts';
export { loadKubeConfig, kubeconfigPath } from './connect.ts';
