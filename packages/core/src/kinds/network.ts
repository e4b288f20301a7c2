import type { Construct } from 'constructs';
import { z } from 'zod';
import { Resource } from '../tree/resource.ts';
import { inputKit, type SchemaKit, strictObject } from './kit.ts';

/** Network props schema (both kits). */
export const networkSchema = <R, V>(_k: SchemaKit<R, V>) =>
  strictObject({
    /** No route to the outside world. @default false */
    internal: z.boolean().default(false),
  });

export const NetworkProps = networkSchema(inputKit);
export type NetworkProps = z.input<typeof NetworkProps>;

/**
 * An extra network. Every cluster already has its own network on which Services resolve
 * by name; a Network is another one that the Deployments and Jobs listing it in `networks`
 * join, where they reach each other by resource id. `internal: true` gives it no route out.
 *
 * @example
 * const backend = new Network(cluster, 'backend', { internal: true });
 * new Deployment(cluster, 'api', { image: 'api:1', networks: [backend] });
 */
export class Network extends Resource<NetworkProps> {
  constructor(scope: Construct, id: string, props: NetworkProps = {}) {
    super(scope, id, 'Network', props);
  }
}
