import type { Construct } from 'constructs';
import { z } from 'zod';
import type { Ref } from '../refs.ts';
import { Resource } from '../tree/resource.ts';
import { portNumber } from './container.ts';
import { inputKit, type SchemaKit, strictObject } from './kit.ts';

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Service props schema (both kits). */
export const serviceSchema = <R, V>(k: SchemaKit<R, V>) =>
  strictObject({
    /** The Deployment whose ready replicas serve this Service. */
    target: k.ref(['Deployment'], 'name'),
    /** The DNS name on the cluster network. @default the construct id, lower-cased */
    name: z.string().regex(dnsLabel, 'must be a DNS label: lowercase letters, digits and dashes').optional(),
    /** Ports: the service port, the container port it forwards to, and an optional host port. */
    ports: z
      .array(
        strictObject({
          /** The port clients use. */
          port: portNumber,
          /** The container port. @default port */
          targetPort: portNumber.optional(),
          /** Publish on every node's host at this port. */
          publish: portNumber.optional(),
          /** Host address to publish on. @default "0.0.0.0" */
          hostIp: z.string().optional(),
          protocol: z.enum(['tcp']).default('tcp'),
        }),
      )
      .min(1, 'a Service needs at least one port'),
  });

export const ServiceProps = serviceSchema(inputKit);
export type ServiceProps = z.input<typeof ServiceProps>;

/**
 * A stable name (and optionally a host port) in front of a Deployment's ready replicas.
 *
 * @example
 * const svc = new Service(cluster, 'web', { target: web, ports: [{ port: 80, targetPort: 8080, publish: 8080 }] });
 * new Deployment(cluster, 'client', { image, env: { WEB: svc.host } });
 */
export class Service extends Resource<ServiceProps> {
  constructor(scope: Construct, id: string, props: ServiceProps) {
    super(scope, id, 'Service', props);
  }
  /** The DNS name in-cluster clients use. */
  get host(): Ref {
    return this.attr('host');
  }
  /** The first service port. */
  get port(): Ref<number> {
    return this.attr<number>('port');
  }
  /** `host:port` of the first port. */
  get address(): Ref {
    return this.attr('address');
  }
}
