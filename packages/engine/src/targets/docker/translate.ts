/**
 * The Docker target's pure half: the resolved graph → the objects berth creates on Docker
 * engines (containers per replica, a proxy per Service, volumes, networks). The executor
 * resolves each step with the same functions (execute/resolve.ts) as outputs become known.
 */
import type { GraphJson } from '@berth/core';
import { resolveRunSpec, serviceRunSpec } from '../../execute/resolve.ts';
import type { RunSpec, ServiceRunSpec } from '../driver.ts';
import type { Translator, TranslateContext } from '../target.ts';

export type DockerObject =
  | { readonly kind: 'replicas'; readonly specs: readonly RunSpec[] }
  | { readonly kind: 'job'; readonly spec: RunSpec }
  | { readonly kind: 'service'; readonly spec: ServiceRunSpec }
  | { readonly kind: 'volume'; readonly driver: string; readonly options: Readonly<Record<string, string>> }
  | { readonly kind: 'network'; readonly internal: boolean };

export const dockerTranslator: Translator<DockerObject> = {
  translate(graph: GraphJson, ctx: TranslateContext): ReadonlyMap<string, DockerObject> {
    const out = new Map<string, DockerObject>();
    const resolve = { graph, outputs: ctx.outputs, secrets: ctx.secrets };
    const hash = (id: string): string => ctx.specHashes.get(id) ?? '';
    for (const r of graph.resources) {
      switch (r.kind) {
        case 'Deployment':
          out.set(r.id, { kind: 'replicas', specs: Array.from({ length: r.props.replicas }, (_, o) => resolveRunSpec(resolve, r, o, hash(r.id), ctx.release)) });
          break;
        case 'Job':
          out.set(r.id, { kind: 'job', spec: resolveRunSpec(resolve, r, 0, hash(r.id), ctx.release) });
          break;
        case 'Service':
          out.set(r.id, { kind: 'service', spec: serviceRunSpec(r, hash(r.id), ctx.release) });
          break;
        case 'Volume':
          out.set(r.id, { kind: 'volume', driver: r.props.driver, options: r.props.options });
          break;
        case 'Network':
          out.set(r.id, { kind: 'network', internal: r.props.internal });
          break;
        default:
          // Images are pulled or built, Secrets and Configs become files inside containers:
          // none is an object of its own on the engine.
          break;
      }
    }
    return out;
  },
};
