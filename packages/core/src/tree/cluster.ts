import { Construct } from 'constructs';
import { z } from 'zod';
import { BerthError } from '../errors.ts';
import { captureFrames, type RawFrames } from '../private/location.ts';
import { inputKit, graphKit, type SchemaKit } from '../kinds/kit.ts';

const CLUSTER = Symbol.for('berth.cluster');

const dockerHost = <R, V>(k: SchemaKit<R, V>) =>
  z.strictObject({
    /** A name for the node, shown in plans and status. */
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and dashes'),
    /** Engine address: `unix:///var/run/docker.sock`, `tcp://host:2376`, `ssh://user@host`. */
    endpoint: z.string().min(1),
    /**
     * The address clients and the other nodes reach this node at (published Service ports,
     * replicas behind a proxy on another node). @default the endpoint's host, or 127.0.0.1
     */
    address: z.string().optional(),
    /** Node labels used by placement constraints and spread. @default {} */
    labels: z.record(z.string(), z.string()).default({}),
    /** Capacity override; by default read from the engine's /info. */
    capacity: z.strictObject({ cpu: k.cpu, memory: k.memory }).optional(),
    /** TLS files for tcp endpoints (paths on the machine running berth). */
    tls: z.strictObject({ ca: z.string(), cert: z.string(), key: z.string() }).optional(),
  });

/**
 * A Swarm node berth reaches directly (to ship images); the others are found through the manager.
 * A Docker host's name, endpoint, address and TLS files: the manager schedules, so no labels or capacity.
 */
const swarmNode = dockerHost(inputKit).pick({ name: true, endpoint: true, address: true, tls: true });

/** A Kubernetes namespace name (RFC 1123 label). */
const namespaceName = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a Kubernetes namespace: lowercase letters, digits and dashes, at most 63');

const swarmTarget = z.strictObject({
  /** The manager's engine address (`unix://…`, `tcp://…`, `ssh://…`). */
  manager: z.string().min(1),
  nodes: z.array(swarmNode).optional(),
});

const kubernetesTarget = z.strictObject({
  /** A kubeconfig file. @default KUBECONFIG, else ~/.kube/config */
  kubeconfig: z.string().min(1).optional(),
  /** The kubeconfig context. @default its current-context */
  context: z.string().min(1).optional(),
  namespace: namespaceName,
});

export const TARGET_KINDS = ['docker', 'swarm', 'kubernetes'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

/** Cluster props schema. */
export const clusterPropsSchema = <R, V>(k: SchemaKit<R, V>) =>
  z.strictObject({
    /**
     * Where the cluster runs: one of `docker` (one or many hosts), `swarm` or `kubernetes`.
     * @default the local Docker engine (`DOCKER_HOST` or /var/run/docker.sock)
     */
    target: z
      .strictObject({
        docker: z.strictObject({ hosts: z.array(dockerHost(k)).default([]) }).optional(),
        swarm: swarmTarget.optional(),
        kubernetes: kubernetesTarget.optional(),
      })
      .refine((t) => TARGET_KINDS.filter((kind) => t[kind] !== undefined).length <= 1, {
        message: 'a Cluster runs on one target: give one of docker, swarm or kubernetes',
      })
      .default({}),
  });

export const ClusterProps = clusterPropsSchema(inputKit);
export type ClusterProps = z.input<typeof ClusterProps>;

/** A place in cluster.ts, as the graph writes it. */
export const SourceJson = z.strictObject({ file: z.string(), line: z.number().int(), column: z.number().int() });

/**
 * The cluster's target as the graph carries it, by `kind`. A Swarm or Kubernetes target also
 * carries where cluster.ts made the Cluster, so an engine that cannot serve it points there.
 */
export const TargetJson = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('docker'),
    /** No hosts: the local engine (DOCKER_HOST or the default socket). */
    hosts: z.array(dockerHost(graphKit)),
  }),
  z.strictObject({
    kind: z.literal('swarm'),
    manager: z.string(),
    nodes: z.array(swarmNode),
    source: SourceJson.optional(),
  }),
  z.strictObject({
    kind: z.literal('kubernetes'),
    kubeconfig: z.string().optional(),
    context: z.string().optional(),
    namespace: z.string(),
    source: SourceJson.optional(),
  }),
]);
export type TargetJson = z.infer<typeof TargetJson>;

/** The graph's target from parsed Cluster props (keys in sorted order, as the graph writes them). */
export function targetJsonOf(target: z.output<typeof ClusterProps>['target'] | undefined, source?: z.infer<typeof SourceJson>): TargetJson {
  if (target?.swarm) {
    return { kind: 'swarm', manager: target.swarm.manager, nodes: target.swarm.nodes ?? [], ...(source ? { source } : {}) };
  }
  if (target?.kubernetes) {
    const k = target.kubernetes;
    return { ...(k.context !== undefined ? { context: k.context } : {}), kind: 'kubernetes', ...(k.kubeconfig !== undefined ? { kubeconfig: k.kubeconfig } : {}), namespace: k.namespace, ...(source ? { source } : {}) };
  }
  return { hosts: target?.docker?.hosts ?? [], kind: 'docker' };
}

/** The docker hosts of a target; none for another kind (or the local engine). */
export function dockerHostsOf(target: TargetJson): Extract<TargetJson, { kind: 'docker' }>['hosts'] {
  return target.kind === 'docker' ? target.hosts : [];
}

/**
 * A deployable unit with a target (like a CDK or Pulumi stack). Each Cluster synthesizes
 * to its own `berth.out/<cluster>.graph.json` and is deployed on its own.
 *
 * @example
 * new Cluster(app, 'prod', { target: { docker: { hosts: [{ name: 'a', endpoint: 'ssh://a' }] } } });
 */
export class Cluster extends Construct {
  static isCluster(x: unknown): x is Cluster {
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[CLUSTER] === true;
  }
  /** The nearest Cluster enclosing `c`; throws when there is none. */
  static of(c: Construct): Cluster {
    const found = Cluster.tryOf(c);
    if (!found) {
      throw new BerthError('synth.failed', `${c.node.path || '(root)'} is not inside a Cluster`, {
        hint: 'create resources with a Cluster (or a construct inside one) as their scope',
      });
    }
    return found;
  }
  static tryOf(c: Construct): Cluster | undefined {
    for (const s of c.node.scopes.slice().reverse()) if (Cluster.isCluster(s)) return s;
    return undefined;
  }

  readonly props: ClusterProps;
  /** @internal */
  readonly frames: RawFrames;

  constructor(scope: Construct, id: string, props: ClusterProps = {}) {
    super(scope, id);
    Object.defineProperty(this, CLUSTER, { value: true });
    this.props = props;
    this.frames = captureFrames(new.target);
  }
}
