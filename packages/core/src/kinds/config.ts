import type { Construct } from 'constructs';
import { z } from 'zod';
import { strictObject } from './kit.ts';
import { Resource } from '../tree/resource.ts';

/** Config props as the program writes them. */
export const ConfigProps = z
  .strictObject({
    /** The file's content. */
    data: z.string().optional(),
    /** Read the content at synth from this file (relative to cluster.ts). */
    file: z.string().min(1).optional(),
  })
  .refine((c) => (c.data === undefined) !== (c.file === undefined), 'set exactly one of data or file');
export type ConfigProps = z.input<typeof ConfigProps>;

/** Config as the graph carries it: the content and its hash. */
export const configGraphSchema = strictObject({ data: z.string(), sha256: z.string(), file: z.string().optional() });

/**
 * A configuration file mounted read-only into containers. A change rolls every
 * Deployment that mounts it.
 *
 * @example
 * const nginx = new Config(cluster, 'nginx', { file: './nginx.conf' });
 * new Deployment(cluster, 'proxy', { image, mounts: [{ config: nginx, path: '/etc/nginx/nginx.conf' }] });
 */
export class Config extends Resource<ConfigProps> {
  constructor(scope: Construct, id: string, props: ConfigProps) {
    super(scope, id, 'Config', props);
  }
}
