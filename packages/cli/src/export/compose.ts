/**
 * `berth export compose`: a cluster's graph as a docker-compose file that runs the same thing
 * on one host. Pure: graph in, compose document and the files it needs out (the CLI writes
 * them). What compose cannot express is said, never silently dropped:
 *
 *   Deployment / Job → service (a Job runs once: restart "no", its consumers wait for
 *                      service_completed_successfully)
 *   Service          → network aliases (its DNS name) and host ports on its target
 *   health           → healthcheck (the same probe berth's Docker target runs);
 *                      dependsOn → depends_on with service_healthy / service_started
 *   Volume, Network  → top-level volumes / networks
 *   Config           → a file written beside the compose file, bind-mounted read-only (compose
 *                      1.29 ignores `configs:` outside a swarm)
 *   Secret           → a file secret: fromFile as is; fromEnv one the user creates (its value
 *                      is never written by berth); in env, `${VAR}` from the shell
 */
import { join, relative } from 'node:path';
import { BerthError, dockerHostsOf, type GraphJson, type ResourceJson, type ResourceOf, type ValueJson } from '@berth/core';
import { Interpolated, toYaml, type YamlValue } from './yaml.ts';

export interface ComposeOptions {
  /** The directory the compose file is written to (relative paths in it start there). */
  readonly outDir: string;
  /** Where cluster.ts is (build contexts and secret files are relative to it). */
  readonly appDir: string;
  /** Where the Config files are written, under outDir. */
  readonly filesDir: string;
}

export interface ComposeExport {
  /** The compose file's text. */
  readonly text: string;
  /** Files to write with it (Config contents), by absolute path. */
  readonly files: ReadonlyArray<{ readonly path: string; readonly content: string }>;
  /** What compose does differently, one line each (also at the top of the file). */
  readonly notes: readonly string[];
}

type Container = ResourceOf<'Deployment'> | ResourceOf<'Job'>;
type Yaml = { [k: string]: YamlValue | undefined };

/** The docker-compose file of a single-host cluster; refuses a cluster of several hosts. */
export function composeOf(graph: GraphJson, o: ComposeOptions): ComposeExport {
  const hosts = dockerHostsOf(graph.target);
  if (hosts.length > 1) {
    throw new BerthError('export.unsupported', `cluster "${graph.cluster}" runs on ${hosts.length} hosts (${hosts.map((h) => h.name).join(', ')}); a compose file describes one`, {
      hint: 'export a cluster with at most one docker host, or use berth deploy for this one (berth places replicas across hosts)',
    });
  }
  const byId = new Map(graph.resources.map((r) => [r.id, r]));
  const notes: string[] = [];
  const files: Array<{ path: string; content: string }> = [];
  const rel = (abs: string): string => {
    const r = relative(o.outDir, abs);
    return r.startsWith('.') ? r : `./${r}`;
  };
  const of = <K extends ResourceJson['kind']>(kind: K): Array<ResourceOf<K>> => graph.resources.filter((r): r is ResourceOf<K> => r.kind === kind);

  // Service → what its target's containers answer to and publish.
  const aliases = new Map<string, string[]>();
  const published = new Map<string, string[]>();
  for (const s of of('Service')) {
    const t = s.props.target.$ref;
    const name = s.props.name ?? s.id;
    if (name !== t) aliases.set(t, [...(aliases.get(t) ?? []), name]);
    for (const p of s.props.ports) {
      const target = p.targetPort ?? p.port;
      if (p.port !== target) notes.push(`${s.path}: compose has no service port mapping, so in-cluster clients reach ${name} on ${target}, not ${p.port}`);
      if (p.publish !== undefined) published.set(t, [...(published.get(t) ?? []), `${p.hostIp ? `${p.hostIp}:` : ''}${p.publish}:${target}`]);
    }
  }

  const services: Record<string, Yaml> = {};
  for (const r of graph.resources) {
    if (r.kind !== 'Deployment' && r.kind !== 'Job') continue;
    services[r.id] = serviceOf(r);
  }

  function serviceOf(r: Container): Yaml {
    const p = r.props;
    const svc: Yaml = { ...imageOf(r) };
    if (p.command) svc['entrypoint'] = p.command;
    if (p.args) svc['command'] = p.args;
    const env = Object.entries(p.env);
    if (env.length > 0) svc['environment'] = Object.fromEntries(env.map(([k, v]) => [k, valueOf(v, `${r.path} env.${k}`)]));
    if (p.workingDir !== undefined) svc['working_dir'] = p.workingDir;
    if (p.user !== undefined) svc['user'] = p.user;
    if (p.stopSignal !== undefined) svc['stop_signal'] = p.stopSignal;
    if (p.stopGracePeriod !== undefined) svc['stop_grace_period'] = `${p.stopGracePeriod / 1000}s`;
    if (r.kind === 'Deployment') svc['restart'] = r.props.restart;
    else svc['restart'] = r.props.backoffLimit > 0 ? `on-failure:${r.props.backoffLimit}` : 'no';
    const ports = published.get(r.id);
    if (ports) svc['ports'] = ports;
    if (p.ports.length > 0) svc['expose'] = p.ports.map((x) => `${x.containerPort}${x.protocol === 'udp' ? '/udp' : ''}`);
    if (p.health) svc['healthcheck'] = healthOf(p.health);
    const volumes = p.mounts.flatMap((m) =>
      'volume' in m ? [{ type: 'volume', source: m.volume.$ref, target: m.path, ...(m.readOnly ? { read_only: true } : {}) }] : 'config' in m ? [{ type: 'bind', source: configFile(m.config.$ref), target: m.path, read_only: true }] : [],
    );
    if (volumes.length > 0) svc['volumes'] = volumes;
    const secrets = p.mounts.flatMap((m) => ('secret' in m ? [{ source: m.secret.$ref, target: m.path }] : []));
    if (secrets.length > 0) svc['secrets'] = secrets;
    const nets: Yaml = { default: aliases.has(r.id) ? { aliases: aliases.get(r.id) ?? [] } : {} };
    for (const n of p.networks ?? []) nets[n.$ref] = {};
    svc['networks'] = nets;
    const deps = dependsOn(r);
    if (Object.keys(deps).length > 0) svc['depends_on'] = deps;
    const deploy: Yaml = {};
    if (r.kind === 'Deployment') {
      let replicas = r.props.replicas;
      if (ports && replicas > 1) {
        notes.push(`${r.path}: compose publishes a host port from one container, so it runs 1 replica here, not ${replicas} (berth's proxy spreads a published port over every replica)`);
        replicas = 1;
      }
      deploy['replicas'] = replicas;
    }
    const { limits, requests } = p.resources;
    const res: Yaml = {};
    if (limits && (limits.cpu !== undefined || limits.memory !== undefined)) res['limits'] = quantities(limits);
    if (requests && (requests.cpu !== undefined || requests.memory !== undefined)) res['reservations'] = quantities(requests);
    if (Object.keys(res).length > 0) deploy['resources'] = res;
    if (Object.keys(deploy).length > 0) svc['deploy'] = deploy;
    svc['labels'] = { 'berth.export-source': `${graph.cluster}/${r.id}` };
    return svc;
  }

  function imageOf(r: Container): Yaml {
    const img = r.props.image;
    if (typeof img === 'string') return { image: img };
    const src = byId.get(img.$ref);
    if (src?.kind === 'Image') return { image: src.props.name };
    if (src?.kind === 'ImageBuild') {
      const b = src.props;
      return {
        image: `berth-export/${graph.cluster}-${src.id}:${b.contentHash.slice(0, 12)}`,
        build: { context: rel(join(o.appDir, b.context)), dockerfile: b.dockerfile, ...(b.target !== undefined ? { target: b.target } : {}), ...(Object.keys(b.buildArgs).length > 0 ? { args: b.buildArgs } : {}) },
      };
    }
    throw new BerthError('internal', `${r.path}: image refers to ${img.$ref}, which is not an Image or ImageBuild`);
  }

  function dependsOn(r: Container): Yaml {
    const out: Yaml = {};
    const wait = (id: string): void => {
      const d = byId.get(id);
      if (!d || id === r.id) return;
      if (d.kind === 'Service') return wait(d.props.target.$ref);
      if (d.kind === 'Job') out[id] = { condition: 'service_completed_successfully' };
      else if (d.kind === 'Deployment') out[id] = { condition: d.props.health ? 'service_healthy' : 'service_started' };
    };
    for (const id of r.dependsOn) wait(id);
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  function valueOf(v: ValueJson, where: string): YamlValue {
    if (typeof v === 'string') return v;
    const parts = '$concat' in v ? v.$concat : [v];
    let interpolated = false;
    const text = parts
      .map((x) => {
        if (typeof x === 'string') return x.replace(/\$/g, '$$$$');
        const { text: t, interpolate } = refText(x.$ref, x.attr, where);
        if (interpolate) interpolated = true;
        return interpolate ? t : t.replace(/\$/g, '$$$$');
      })
      .join('');
    // Every literal `$` is escaped above, so the whole string is written as is.
    return interpolated || text.includes('$') ? new Interpolated(text) : text;
  }

  /** What a reference reads, as compose sees it. */
  function refText(id: string, attr: string, where: string): { text: string; interpolate: boolean } {
    const t = byId.get(id);
    const text = (s: string | number): { text: string; interpolate: boolean } => ({ text: String(s), interpolate: false });
    if (t?.kind === 'Service') {
      const name = t.props.name ?? t.id;
      const port = t.props.ports[0]?.targetPort ?? t.props.ports[0]?.port ?? 0;
      if (attr === 'host') return text(name);
      if (attr === 'port') return text(port);
      if (attr === 'address') return text(`${name}:${port}`);
    }
    if (t?.kind === 'Secret') {
      if (t.props.fromEnv !== undefined) return { text: `\${${t.props.fromEnv}}`, interpolate: true };
      throw new BerthError('export.unsupported', `${where}: the Secret ${t.path} is read from a file, and compose can put a file's content in the environment only through a variable`, {
        hint: `mount the Secret instead (mounts: [{ secret, path }]), or give it fromEnv`,
      });
    }
    if (t?.kind === 'Config' && attr === 'data') return text(t.props.data);
    if (t && (attr === 'name' || attr === 'id')) return text(t.id);
    throw new BerthError('export.unsupported', `${where}: compose has no value for ${id}.${attr}`, { hint: 'pass the value as a literal for the export' });
  }

  const networks: Yaml = {};
  for (const n of of('Network')) networks[n.id] = n.props.internal ? { internal: true } : {};
  const volumes: Yaml = {};
  for (const v of of('Volume')) {
    volumes[v.id] = { driver: v.props.driver, ...(Object.keys(v.props.options).length > 0 ? { driver_opts: v.props.options } : {}) };
  }
  function configFile(id: string): string {
    return rel(join(o.filesDir, 'configs', id));
  }
  for (const c of of('Config')) files.push({ path: join(o.filesDir, 'configs', c.id), content: c.props.data });
  const secrets: Yaml = {};
  for (const s of of('Secret')) {
    if (s.props.fromFile !== undefined) secrets[s.id] = { file: rel(join(o.appDir, s.props.fromFile)) };
    else {
      const path = join(o.filesDir, 'secrets', s.id);
      secrets[s.id] = { file: rel(path) };
      notes.push(`${s.path}: create ${rel(path)} before docker-compose up: printenv ${s.props.fromEnv ?? ''} > ${rel(path)} (berth never writes a secret's value)`);
    }
  }
  for (const r of of('Deployment')) {
    if (Object.keys(r.props.placement.constraints).length > 0 || r.props.placement.spreadBy) notes.push(`${r.path}: placement does not apply on one host`);
  }
  for (const j of of('Job')) if (j.props.timeout > 0) notes.push(`${j.path}: compose has no run timeout (berth's is ${j.props.timeout / 1000}s)`);

  const doc: Yaml = {
    services,
    ...(Object.keys(networks).length > 0 ? { networks } : {}),
    ...(Object.keys(volumes).length > 0 ? { volumes } : {}),
    ...(Object.keys(secrets).length > 0 ? { secrets } : {}),
  };
  const header = [`Generated by \`berth export compose\` for the cluster ${graph.cluster}. Run: docker-compose -p ${graph.cluster} -f <this file> up -d`, ...(notes.length > 0 ? ['', 'What compose does differently:', ...notes.map((n) => `  ${n}`)] : [])];
  return { text: toYaml(doc, header), files, notes };
}

function quantities(q: { cpu?: number | undefined; memory?: number | undefined }): Yaml {
  return { ...(q.cpu !== undefined ? { cpus: String(q.cpu / 1000) } : {}), ...(q.memory !== undefined ? { memory: `${q.memory}b` } : {}) };
}

function healthOf(h: NonNullable<Container['props']['health']>): Yaml {
  const url = h.type === 'http' ? `http://127.0.0.1:${h.port}${h.path}` : '';
  // The same probes as berth's Docker target runs (targets/docker/driver.ts), with the image's own tools.
  const test =
    h.type === 'exec'
      ? ['CMD', ...h.command]
      : h.type === 'http'
        ? ['CMD-SHELL', `wget -q -O /dev/null '${url}' || curl -fsS -o /dev/null '${url}' || exit 1`]
        : ['CMD-SHELL', `nc -w 2 127.0.0.1 ${h.port} </dev/null >/dev/null 2>&1 || exit 1`];
  const ms = (n: number): string => `${n}ms`;
  return { test, interval: ms(h.interval), timeout: ms(h.timeout), retries: h.retries, start_period: ms(h.startPeriod) };
}
