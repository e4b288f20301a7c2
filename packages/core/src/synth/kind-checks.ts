/**
 * Stage 7 of synthesis, per Cluster: the rules a schema cannot state because they span
 * properties or resources: Service names (DNS labels, unique per cluster) and the host ports
 * they publish (one Service per port). Defaults that depend on other props are filled in here
 * (a Service's name from its id, a port's targetPort from its port).
 */
import type { SourceLocation } from '../errors.ts';
import type { Entry } from './collect.ts';
import { fmtLoc, type Diagnostics } from './diagnostics.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function checkKinds(mine: readonly Entry[], diags: Diagnostics): void {
  const published = new Map<number, { path: string; loc: SourceLocation | undefined }>();
  const serviceNames = new Map<string, string>();
  for (const e of mine) {
    const props = e.props;
    if (!props || e.r.kind !== 'Service') continue;
    const { r, loc } = e;
    const name = (props.name as string | undefined) ?? r.node.id.toLowerCase();
    if (!DNS_LABEL.test(name)) {
      diags.report({ code: 'props.invalid', message: `the service name "${name}" (from the construct id) is not a DNS label`, constructPath: e.path, kind: r.kind, property: 'name', location: loc, hint: 'set name: to lowercase letters, digits and dashes' });
    }
    const other = serviceNames.get(name);
    if (other) {
      diags.report({ code: 'synth.duplicate-id', message: `service name "${name}" is already used by ${other}`, constructPath: e.path, kind: r.kind, property: 'name', location: loc, hint: 'give each Service of a cluster its own name' });
    }
    serviceNames.set(name, e.path);
    props.name = name;
    const ports = props.ports as Array<{ port: number; targetPort?: number; publish?: number }>;
    for (const [i, p] of ports.entries()) {
      if (p.targetPort === undefined) ports[i] = sortedShallow({ ...p, targetPort: p.port });
      if (p.publish === undefined) continue;
      const prev = published.get(p.publish);
      if (prev) {
        const where = prev.loc ? (loc && prev.loc.file === loc.file ? ` (line ${prev.loc.line})` : ` (${fmtLoc(prev.loc)})`) : '';
        diags.report({ code: 'synth.port-conflict', message: `host port ${p.publish} is already published by ${prev.path}${where}`, constructPath: e.path, kind: r.kind, property: `ports[${i}].publish`, location: loc, hint: 'publish each host port from one Service only' });
      } else {
        published.set(p.publish, { path: e.path, loc });
      }
    }
  }
}

/** `o` with its own keys in sorted order (values as they are). */
export function sortedShallow<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) out[k] = (o as Record<string, unknown>)[k];
  return out as T;
}
