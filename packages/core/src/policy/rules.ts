/**
 * berth's built-in policy rules. Each is a function returning a {@link PolicyRule}, so it can
 * take options; each reports an error unless given `severity: 'warning'`.
 *
 * The model has no privileged mode, host network, capabilities or host-path mounts as such:
 * a container cannot ask for them. What it can do that reaches the host is checked by
 * {@link noHostAccess}: a local Volume that binds a host directory, and running as root.
 */
import type { Severity } from '../errors.ts';
import type { ResourceJson } from '../graph/schema.ts';
import type { ValueJson as ValueJsonT } from '../kinds/kit.ts';
import { rule, type PolicyReport, type PolicyRule } from './policy.ts';

export interface SeverityOption {
  /** @default "error" */
  readonly severity?: Severity;
}

type Container = Extract<ResourceJson, { kind: 'Deployment' | 'Job' }>;

function isContainer(r: ResourceJson): r is Container {
  return r.kind === 'Deployment' || r.kind === 'Job';
}

/**
 * Every Deployment and Job sets resource limits (by default both cpu and memory), so one
 * runaway container cannot starve its node.
 */
export function requireLimits(options: SeverityOption & { readonly cpu?: boolean; readonly memory?: boolean } = {}): PolicyRule {
  const want = (['cpu', 'memory'] as const).filter((q) => options[q] !== false);
  return rule('require-limits', (r, report) => {
    if (!isContainer(r)) return;
    const limits = r.props.resources.limits ?? {};
    const missing = want.filter((q) => limits[q] === undefined);
    if (missing.length === 0) return;
    report.violation(options.severity ?? 'error', `no ${missing.join(' or ')} limit`, {
      property: r.props.resources.limits ? 'resources.limits' : 'resources',
      hint: `set resources: { limits: { ${missing.map((q) => (q === 'cpu' ? "cpu: '500m'" : "memory: '256Mi'")).join(', ')} } } (sized for the workload)`,
    });
  });
}

/** The tag of an image reference: undefined without one; a digest (`@sha256:`) counts as immutable. */
export function imageTag(ref: string): { tag: string | undefined; digest: boolean } {
  if (ref.includes('@')) return { tag: undefined, digest: true };
  const lastSlash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return { tag: colon > lastSlash ? ref.slice(colon + 1) : undefined, digest: false };
}

/**
 * An image by name (an {@link Image}, or a name string in a Deployment or Job) names a fixed
 * version: not `latest`, nor no tag (which means latest). With `requireDigest`, every tag is
 * mutable and only a digest (`name@sha256:…`) passes. ImageBuilds are pinned by content already.
 */
export function noLatestTags(options: SeverityOption & { readonly requireDigest?: boolean } = {}): PolicyRule {
  return rule('no-latest-tags', (r, report) => {
    const check = (ref: string, property: string): void => {
      const { tag, digest } = imageTag(ref);
      if (digest) return;
      if (!options.requireDigest && tag !== undefined && tag !== 'latest') return;
      const what = options.requireDigest ? `"${ref}" is a mutable tag` : tag === undefined ? `"${ref}" has no tag, so it means :latest` : `"${ref}" uses the mutable tag latest`;
      report.violation(options.severity ?? 'error', `${what}: what runs can change without the program changing`, {
        property,
        hint: options.requireDigest ? `pin it by digest: "${ref.split(':')[0] ?? ref}@sha256:…" (docker inspect --format '{{index .RepoDigests 0}}')` : `name a version, such as "${ref.replace(/:latest$/, '')}:1.2.3", or a digest`,
      });
    };
    if (r.kind === 'Image') check(r.props.name, 'name');
    else if (isContainer(r) && typeof r.props.image === 'string') check(r.props.image, 'image');
  });
}

/** No Deployment runs more than `max` replicas (a typo such as 300 for 3 costs a cluster). */
export function maxReplicas(max: number, options: SeverityOption = {}): PolicyRule {
  return rule('max-replicas', (r, report) => {
    if (r.kind !== 'Deployment' || r.props.replicas <= max) return;
    report.violation(options.severity ?? 'error', `${r.props.replicas} replicas is more than the ${max} this policy allows`, { property: 'replicas', hint: `use at most ${max} replicas, or raise maxReplicas() in the policy` });
  });
}

/**
 * Every Deployment behind a published Service (a host port) has a health check, so traffic only
 * reaches ready replicas and a broken rollout is caught. With `all`, behind any Service.
 */
export function requireHealthChecks(options: SeverityOption & { readonly all?: boolean } = {}): PolicyRule {
  return rule('require-health-checks', (r, report, ctx) => {
    if (r.kind !== 'Service') return;
    const published = r.props.ports.find((p) => p.publish !== undefined);
    if (!published && !options.all) return;
    const target = ctx.resource(r.props.target.$ref);
    if (!target || target.kind !== 'Deployment' || target.props.health !== undefined) return;
    const via = published ? `published on host port ${published.publish ?? ''} by ${r.path}` : `behind the Service ${r.path}`;
    report.violation(options.severity ?? 'error', `no health check, though it is ${via}`, {
      resource: target.id,
      property: 'health',
      hint: `add health: { http: { path: '/health', port: ${published?.targetPort ?? r.props.ports[0]?.targetPort ?? 8080} } } (or tcp / exec) to ${target.path}`,
    });
  });
}

/** The Secrets an env value reads. */
function secretsIn(v: ValueJsonT, isSecret: (id: string) => boolean): string[] {
  if (typeof v === 'string') return [];
  const parts = '$concat' in v ? v.$concat : [v];
  return parts.flatMap((p) => (typeof p !== 'string' && isSecret(p.$ref) ? [p.$ref] : []));
}

/**
 * No Secret reaches a container through its environment (which `docker inspect`, crash
 * reports and child processes all see): mount it as a file instead.
 */
export function noSecretsInEnv(options: SeverityOption = {}): PolicyRule {
  return rule('no-secrets-in-env', (r, report, ctx) => {
    if (!isContainer(r)) return;
    for (const [name, v] of Object.entries(r.props.env)) {
      for (const id of secretsIn(v, (x) => ctx.resource(x)?.kind === 'Secret')) {
        report.violation(options.severity ?? 'error', `the Secret ${ctx.resource(id)?.path ?? id} is passed in the environment`, {
          property: `env.${name}`,
          hint: `mount it instead: mounts: [{ secret: …, path: '/run/secrets/${id}' }], and have the program read the file (many images take ${name}_FILE)`,
        });
      }
    }
  });
}

function asRoot(user: string | undefined): boolean {
  if (user === undefined) return false;
  const u = user.split(':')[0];
  return u === '0' || u === 'root';
}

/** A local Volume whose options bind a host directory (`type: none, o: bind, device: /path`). */
function bindsHost(v: Extract<ResourceJson, { kind: 'Volume' }>): string | undefined {
  const o = v.props.options;
  if (v.props.driver !== 'local') return undefined;
  if (!(o['o'] ?? '').split(',').includes('bind') && o['type'] !== 'none') return undefined;
  return o['device'] ?? '(a host path)';
}

/**
 * Nothing reaches into the host. berth's model has no privileged mode, host network or added
 * capabilities (a container cannot ask for them), so this checks what can: a Volume that binds
 * a host directory (a bind of /var/run/docker.sock is root on the host) and a container that
 * says it runs as root (`user: "0"` or `"root"`).
 */
export function noHostAccess(options: SeverityOption = {}): PolicyRule {
  return rule('no-host-access', (r, report: PolicyReport) => {
    const severity = options.severity ?? 'error';
    if (r.kind === 'Volume') {
      const device = bindsHost(r);
      if (device !== undefined) report.violation(severity, `binds the host directory ${device} into containers`, { property: 'options', hint: 'use a plain named volume (no type/o/device options), or a Config for files' });
    } else if (isContainer(r) && asRoot(r.props.user)) {
      report.violation(severity, `runs as root (user: "${r.props.user ?? ''}")`, { property: 'user', hint: 'run as an unprivileged user, such as user: "1000:1000"' });
    }
  });
}
