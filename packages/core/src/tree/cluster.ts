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

/** Cluster props schema. */
export const clusterPropsSchema = <R, V>(k: SchemaKit<R, V>) =>
  z.strictObject({
    /**
     * Where the cluster runs. @default the local Docker engine (`DOCKER_HOST` or /var/run/docker.sock)
     */
    target: z
      .strictObject({
        docker: z.strictObject({ hosts: z.array(dockerHost(k)).default([]) }).optional(),
      })
      .default({}),
  });

export const ClusterProps = clusterPropsSchema(inputKit);
export type ClusterProps = z.input<typeof ClusterProps>;

/** The cluster's target as the graph carries it. */
export const TargetJson = z.strictObject({
  kind: z.literal('docker'),
  hosts: z.array(dockerHost(graphKit)),
});
export type TargetJson = z.infer<typeof TargetJson>;

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
