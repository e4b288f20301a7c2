import type { Construct } from 'constructs';
import { z } from 'zod';
import type { Ref } from '../refs.ts';
import { Resource } from '../tree/resource.ts';
import { inputKit, type SchemaKit, strictObject } from './kit.ts';

/** Volume props schema (both kits). */
export const volumeSchema = <R, V>(_k: SchemaKit<R, V>) =>
  strictObject({
    /** Volume driver. @default "local" */
    driver: z.string().default('local'),
    /** Driver options. @default {} */
    options: z.record(z.string(), z.string()).default({}),
    /** Pin a node-local volume to a node by name (multi-host clusters). */
    node: z.string().optional(),
  });

export const VolumeProps = volumeSchema(inputKit);
export type VolumeProps = z.input<typeof VolumeProps>;

/**
 * Persistent storage. Volumes are stateful: berth never replaces or deletes one unless
 * you name it in an explicit flag (`--delete-volume`).
 *
 * @example
 * const data = new Volume(cluster, 'pgdata');
 * new Deployment(cluster, 'db', { image, mounts: [{ volume: data, path: '/var/lib/postgresql' }] });
 */
export class Volume extends Resource<VolumeProps> {
  constructor(scope: Construct, id: string, props: VolumeProps = {}) {
    super(scope, id, 'Volume', props);
  }
  /** The runtime's volume name. */
  get volumeName(): Ref {
    return this.attr('name');
  }
}
