/**
 * Offline validation of every object berth emits against Kubernetes' own schemas (the official
 * OpenAPI definitions, compiled by kubernetes-models, pinned in package.json). A violation is
 * a located berth diagnostic — the Cluster's cluster.ts line, the construct path, the field —
 * so a bad manifest is refused before any server sees it.
 */
import type { Diagnostic, GraphJson } from '@berth/core';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PriorityClass } from 'kubernetes-models/scheduling.k8s.io/v1/PriorityClass';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { CLUSTER_OBJECTS, targetSource, type KubeObject } from './translate.ts';

interface Validatable {
  validate(): void;
}
type ModelCtor = new (data: never) => Validatable;

/** The schema of each kind berth emits, by `apiVersion/kind`. */
const MODELS: Readonly<Record<string, ModelCtor>> = {
  'apps/v1/Deployment': Deployment as unknown as ModelCtor,
  'batch/v1/Job': Job as unknown as ModelCtor,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy as unknown as ModelCtor,
  'scheduling.k8s.io/v1/PriorityClass': PriorityClass as unknown as ModelCtor,
  'v1/ConfigMap': ConfigMap as unknown as ModelCtor,
  'v1/Namespace': Namespace as unknown as ModelCtor,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim as unknown as ModelCtor,
  'v1/Secret': Secret as unknown as ModelCtor,
  'v1/Service': Service as unknown as ModelCtor,
};

interface SchemaIssue {
  readonly instancePath?: string;
  readonly message?: string;
  readonly params?: Record<string, unknown>;
}

/** `/spec/template/spec/containers/0/image` → `spec.template.spec.containers[0].image`. */
export function fieldPath(pointer: string): string {
  return pointer
    .split('/')
    .filter((s) => s !== '')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : acc === '' ? s : `${acc}.${s}`), '');
}

/** Every schema violation of `objects` (by resource id, as translate returns them), located. */
export function validateObjects(graph: GraphJson, objects: ReadonlyMap<string, readonly KubeObject[]>): Diagnostic[] {
  const diags: Diagnostic[] = [];
  const byId = new Map(graph.resources.map((r) => [r.id, r] as const));
  for (const [id, list] of objects) {
    const r = id === CLUSTER_OBJECTS ? undefined : byId.get(id);
    for (const o of list) {
      const where = { constructPath: r?.path ?? graph.cluster, kind: r?.kind ?? 'Cluster', location: r?.source ?? targetSource(graph) };
      const Model = MODELS[`${o.apiVersion}/${o.kind}`];
      if (!Model) {
        diags.push({ code: 'target.invalid', message: `berth has no schema for ${o.apiVersion} ${o.kind}`, ...where, hint: 'this is a bug in berth; please report it' });
        continue;
      }
      try {
        new Model(o as never).validate();
      } catch (e) {
        const issues = ((e as { errors?: SchemaIssue[] }).errors ?? [{ message: (e as Error).message }]).slice(0, 5);
        for (const i of issues) {
          const field = fieldPath(i.instancePath ?? '');
          const allowed = Array.isArray(i.params?.['allowedValues']) ? ` (${(i.params['allowedValues'] as unknown[]).join(', ')})` : '';
          diags.push({
            code: 'target.invalid',
            message: `${o.kind} ${o.metadata.name}: ${field || '(object)'} ${i.message ?? 'is invalid'}${allowed} — Kubernetes' schema for ${o.apiVersion} ${o.kind}`,
            ...where,
            property: field || undefined,
            hint: 'change the construct so the object it makes is valid; berth validated it offline and sent nothing',
          });
        }
      }
    }
  }
  return diags;
}
