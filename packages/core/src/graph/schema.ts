/**
 * The resource graph: the contract between core (synth) and engine (plan, deploy).
 * One zod schema validates it; `schemaVersion` bumps on any incompatible change.
 */
import { z } from 'zod';
import { configGraphSchema } from '../kinds/config.ts';
import { deploymentSchema } from '../kinds/deployment.ts';
import { imageBuildGraphSchema } from '../kinds/image-build.ts';
import { imageSchema } from '../kinds/image.ts';
import { jobSchema } from '../kinds/job.ts';
import { graphKit } from '../kinds/kit.ts';
import { networkSchema } from '../kinds/network.ts';
import { secretSchema } from '../kinds/secret.ts';
import { serviceSchema } from '../kinds/service.ts';
import { volumeSchema } from '../kinds/volume.ts';
import { SourceJson, TargetJson } from '../tree/cluster.ts';

export const GRAPH_SCHEMA_VERSION = 1;

export { SourceJson };

const common = {
  /** Stable id from the construct path below the cluster: `web`, `shop-api` (segments joined by `-`). */
  id: z.string(),
  /** The full construct path: `shop/api`. */
  path: z.string(),
  /** Ids of the resources this one needs first, sorted. */
  dependsOn: z.array(z.string()),
  /** Where cluster.ts created it. */
  source: SourceJson.optional(),
};

export const DeploymentSpec = deploymentSchema(graphKit);
export type DeploymentSpec = z.infer<typeof DeploymentSpec>;
export const JobSpec = jobSchema(graphKit);
export type JobSpec = z.infer<typeof JobSpec>;
export const ServiceSpec = serviceSchema(graphKit);
export type ServiceSpec = z.infer<typeof ServiceSpec>;
export const VolumeSpec = volumeSchema(graphKit);
export type VolumeSpec = z.infer<typeof VolumeSpec>;
export const NetworkSpec = networkSchema(graphKit);
export type NetworkSpec = z.infer<typeof NetworkSpec>;
export const SecretSpec = secretSchema(graphKit);
export type SecretSpec = z.infer<typeof SecretSpec>;
export const ConfigSpec = configGraphSchema;
export type ConfigSpec = z.infer<typeof ConfigSpec>;
export const ImageSpec = imageSchema(graphKit);
export type ImageSpec = z.infer<typeof ImageSpec>;
export const ImageBuildSpec = imageBuildGraphSchema;
export type ImageBuildSpec = z.infer<typeof ImageBuildSpec>;

export const ResourceJson = z.discriminatedUnion('kind', [
  z.strictObject({ ...common, kind: z.literal('Deployment'), props: DeploymentSpec }),
  z.strictObject({ ...common, kind: z.literal('Job'), props: JobSpec }),
  z.strictObject({ ...common, kind: z.literal('Service'), props: ServiceSpec }),
  z.strictObject({ ...common, kind: z.literal('Volume'), props: VolumeSpec }),
  z.strictObject({ ...common, kind: z.literal('Network'), props: NetworkSpec }),
  z.strictObject({ ...common, kind: z.literal('Secret'), props: SecretSpec }),
  z.strictObject({ ...common, kind: z.literal('Config'), props: ConfigSpec }),
  z.strictObject({ ...common, kind: z.literal('Image'), props: ImageSpec }),
  z.strictObject({ ...common, kind: z.literal('ImageBuild'), props: ImageBuildSpec }),
]);
export type ResourceJson = z.infer<typeof ResourceJson>;

/** The synthesized graph of one Cluster. */
export const GraphJson = z.strictObject({
  schemaVersion: z.literal(GRAPH_SCHEMA_VERSION),
  /** The cluster id. */
  cluster: z.string(),
  /** Where the cluster runs; no hosts means the local engine (DOCKER_HOST or the default socket). */
  target: TargetJson,
  /** Every resource, sorted by id. */
  resources: z.array(ResourceJson),
  /** Declared renames (`moved()`): old id → new id, sorted by `from`. */
  moved: z.array(z.strictObject({ from: z.string(), to: z.string() })),
});
export type GraphJson = z.infer<typeof GraphJson>;

/** A resource of one kind. */
export type ResourceOf<K extends ResourceJson['kind']> = Extract<ResourceJson, { kind: K }>;
