import type { Construct } from 'constructs';
import { z } from 'zod';
import type { Ref } from '../refs.ts';
import { Resource } from '../tree/resource.ts';
import { inputKit, type SchemaKit, strictObject } from './kit.ts';

/** Image props schema (both kits). */
export const imageSchema = <R, V>(_k: SchemaKit<R, V>) =>
  strictObject({
    /** An image reference: "name:tag" or "name@sha256:…". It must already be present on the engine. */
    name: z.string().regex(/^[a-z0-9][a-z0-9._\-/:@]*$/, 'not an image reference such as "busybox:1.36"'),
  });

export const ImageProps = imageSchema(inputKit);
export type ImageProps = z.input<typeof ImageProps>;

/**
 * An existing image, by name or digest.
 *
 * @example
 * const pg = new Image(cluster, 'postgres', { name: 'postgres:16' });
 */
export class Image extends Resource<ImageProps> {
  constructor(scope: Construct, id: string, props: ImageProps) {
    super(scope, id, 'Image', props);
  }
  /** The image id the deploy pinned. */
  get imageId(): Ref {
    return this.attr('image');
  }
}
