/**
 * A service spec as flat properties (`env.LOG_LEVEL`, `image`, `replicas`), the same for the
 * spec berth sent and the spec the manager holds now, so a hand edit (`docker service update`
 * by someone else) shows as property-level drift. Pure.
 */
import { createHash } from 'node:crypto';
import type { DriftItem } from '../../plan/types.ts';
import type { SwarmServiceSpec } from './translate.ts';

/** Only what berth sets; fields the manager fills in with defaults are left out. */
export type SpecView = Readonly<Record<string, string>>;

type LooseSpec = {
  Labels?: Record<string, string>;
  TaskTemplate?: {
    ContainerSpec?: Partial<SwarmServiceSpec['TaskTemplate']['ContainerSpec']>;
    Resources?: { Limits?: { NanoCPUs?: number; MemoryBytes?: number }; Reservations?: { NanoCPUs?: number; MemoryBytes?: number } };
    RestartPolicy?: { Condition?: string; MaxAttempts?: number };
    Placement?: { Constraints?: string[]; Preferences?: Array<{ Spread?: { SpreadDescriptor?: string } }>; MaxReplicas?: number };
    Networks?: Array<{ Target: string; Aliases?: string[] }>;
    ForceUpdate?: number;
  };
  Mode?: { Replicated?: { Replicas?: number }; Global?: object; ReplicatedJob?: object };
  UpdateConfig?: { Parallelism?: number; Order?: string; FailureAction?: string };
  EndpointSpec?: { Mode?: string; Ports?: Array<{ Protocol?: string; TargetPort?: number; PublishedPort?: number; PublishMode?: string }> };
};

/**
 * The view of a spec. `networkName` turns the network ids the manager stores back into the
 * names berth sent (identity for a spec berth made).
 */
export function specView(spec: LooseSpec, networkName: (idOrName: string) => string = (x) => x): SpecView {
  const out: Record<string, string> = {};
  const put = (k: string, v: unknown): void => {
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) return;
    out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  };
  const t = spec.TaskTemplate ?? {};
  const c = t.ContainerSpec ?? {};
  put('image', c.Image);
  put('command', c.Command);
  put('args', c.Args);
  for (const e of c.Env ?? []) {
    const i = e.indexOf('=');
    put(`env.${i < 0 ? e : e.slice(0, i)}`, i < 0 ? '' : e.slice(i + 1));
  }
  put('workingDir', c.Dir);
  put('user', c.User);
  put('stopSignal', c.StopSignal);
  put('stopGracePeriod', c.StopGracePeriod);
  if (c.Healthcheck) put('health', [c.Healthcheck.Test, c.Healthcheck.Interval, c.Healthcheck.Timeout, c.Healthcheck.Retries, c.Healthcheck.StartPeriod ?? 0]);
  for (const m of c.Mounts ?? []) put(`mounts.${m.Target}`, `${m.Source}${m.ReadOnly ? ':ro' : ''}`);
  for (const s of c.Secrets ?? []) put(`secrets.${s.File.Name}`, s.SecretName);
  for (const s of c.Configs ?? []) put(`configs.${s.File.Name}`, s.ConfigName);
  put('limits.cpu', t.Resources?.Limits?.NanoCPUs);
  put('limits.memory', t.Resources?.Limits?.MemoryBytes);
  put('reservations.cpu', t.Resources?.Reservations?.NanoCPUs);
  put('reservations.memory', t.Resources?.Reservations?.MemoryBytes);
  put('restart', t.RestartPolicy?.Condition);
  put('constraints', [...(t.Placement?.Constraints ?? [])].sort());
  put('spread', (t.Placement?.Preferences ?? []).map((p) => p.Spread?.SpreadDescriptor));
  put('maxPerNode', t.Placement?.MaxReplicas || undefined);
  for (const n of t.Networks ?? []) put(`networks.${networkName(n.Target)}`, [...(n.Aliases ?? [])].sort().join(',') || 'attached');
  put('forceUpdate', t.ForceUpdate || undefined);
  const mode = spec.Mode ?? {};
  put('mode', mode.Global ? 'global' : mode.ReplicatedJob ? 'replicated-job' : 'replicated');
  put('replicas', mode.Replicated?.Replicas);
  put('update', spec.UpdateConfig ? [spec.UpdateConfig.Order ?? 'stop-first', spec.UpdateConfig.Parallelism ?? 1, spec.UpdateConfig.FailureAction ?? 'pause'] : undefined);
  put('endpoint', spec.EndpointSpec?.Mode ?? 'vip');
  for (const p of spec.EndpointSpec?.Ports ?? []) put(`ports.${p.PublishedPort ?? 0}/${p.Protocol ?? 'tcp'}`, `${p.TargetPort ?? 0} ${p.PublishMode ?? 'ingress'}`);
  return out;
}

/** sha256 of a view: the `berth.sent` label. */
export function viewHash(view: SpecView): string {
  const keys = Object.keys(view).sort();
  return createHash('sha256')
    .update(JSON.stringify(keys.map((k) => [k, view[k]])))
    .digest('hex')
    .slice(0, 32);
}

/** What differs between the view berth sent and the view found, one item per property. */
export function viewDrift(sent: SpecView, live: SpecView): DriftItem[] {
  const keys = [...new Set([...Object.keys(sent), ...Object.keys(live)])].sort();
  const out: DriftItem[] = [];
  for (const k of keys) {
    if (sent[k] === live[k]) continue;
    out.push({ what: k, expected: sent[k] ?? '(none)', observed: live[k] ?? '(none)' });
  }
  return out;
}
