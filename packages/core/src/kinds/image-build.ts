import type { Construct } from 'constructs';
import { z } from 'zod';
import type { Ref } from '../refs.ts';
import { App } from '../tree/app.ts';
import { Resource } from '../tree/resource.ts';
import { inputKit, type SchemaKit, strictObject } from './kit.ts';

const imageBuildFields = {
  /** The build context directory, relative to cluster.ts. */
  context: z.string().min(1),
  /** The Dockerfile, relative to the context. @default "Dockerfile" */
  dockerfile: z.string().min(1).default('Dockerfile'),
  /** Build arguments. @default {} */
  buildArgs: z.record(z.string(), z.string()).default({}),
  /** Multi-stage target. */
  target: z.string().optional(),
};

/** ImageBuild props as the program writes them. */
export const imageBuildSchema = <R, V>(_k: SchemaKit<R, V>) => strictObject(imageBuildFields);

/** ImageBuild props as the graph carries them: with the content hash synth computed. */
export const imageBuildGraphSchema = strictObject({
  ...imageBuildFields,
  /** sha256 over the context files (after .dockerignore), the Dockerfile, build args and target. */
  contentHash: z.string(),
  /** How many files the context holds after .dockerignore. */
  contextFiles: z.number().int(),
});

export const ImageBuildProps = imageBuildSchema(inputKit);
export type ImageBuildProps = z.input<typeof ImageBuildProps>;

/**
 * An image built from a local context and Dockerfile. Its content hash is computed at
 * synth, so `berth diff` already knows which Deployments a code change will roll.
 *
 * @example
 * const build = new ImageBuild(cluster, 'web-image', { context: './web' });
 * new Deployment(cluster, 'web', { image: build });
 */
export class ImageBuild extends Resource<ImageBuildProps> {
  constructor(scope: Construct, id: string, props: ImageBuildProps) {
    super(scope, id, 'ImageBuild', props);
    App.of(this).imageBuilds++;
  }
  /** The built image id. */
  get imageId(): Ref {
    return this.attr('image');
  }
}
