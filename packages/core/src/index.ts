/**
 * @berth/core — constructs, the synthesizer and the resource-graph schema.
 * Construct libraries depend on this package alone (as a peer dependency).
 */
export { Construct } from 'constructs';
export { App } from './tree/app.ts';
export { setParamInput, coerce as coerceParam, type ParamValue, type ParamOptions, type ParamInput, type GivenParam, type ParamOrigin, type ResolvedParam } from './tree/params.ts';
export { Cluster, ClusterProps, TargetJson, TARGET_KINDS, targetJsonOf, dockerHostsOf, type TargetKind } from './tree/cluster.ts';
export { moved, type MovedDeclaration } from './tree/moved.ts';
export { Resource, RESOURCE_KINDS, type ResourceKind } from './tree/resource.ts';
export { Deployment, DeploymentProps } from './kinds/deployment.ts';
export { Job, JobProps } from './kinds/job.ts';
export { Service, ServiceProps } from './kinds/service.ts';
export { Volume, VolumeProps } from './kinds/volume.ts';
export { Network, NetworkProps } from './kinds/network.ts';
export { Secret, SecretProps } from './kinds/secret.ts';
export { Config, ConfigProps } from './kinds/config.ts';
export { Image, ImageProps } from './kinds/image.ts';
export { ImageBuild, ImageBuildProps } from './kinds/image-build.ts';
export { RefJson, ConcatJson, ValueJson } from './kinds/kit.ts';
export { isResource } from './kinds/resource-brand.ts';
export { isRef, makeRef, type Ref } from './refs.ts';
export { Cpu, Memory, Duration, tryParseCpu, tryParseMemory, tryParseDuration } from './quantity.ts';
export {
  GRAPH_SCHEMA_VERSION,
  GraphJson,
  ResourceJson,
  SourceJson,
  DeploymentSpec,
  JobSpec,
  ServiceSpec,
  VolumeSpec,
  NetworkSpec,
  SecretSpec,
  ConfigSpec,
  ImageSpec,
  ImageBuildSpec,
  type ResourceOf,
} from './graph/schema.ts';
export { Policy, rule, type PolicyProps, type PolicyRule, type PolicyReport, type PolicyContext, type Rule, type RuleCheck, type ViolationOptions } from './policy/policy.ts';
export { requireLimits, noLatestTags, maxReplicas, requireHealthChecks, noSecretsInEnv, noHostAccess, imageTag, type SeverityOption } from './policy/rules.ts';
export { synthesize, type SynthOptions, type SynthResult } from './synth/synthesize.ts';
export { sortDiagnostics } from './synth/diagnostics.ts';
export { canonicalJson, formatGraph, graphChunks, stableStringify } from './synth/stable-json.ts';
export { noFilesReader, type SourceReader, type BuildContextHash, type BuildContextProblem } from './synth/source-reader.ts';
export { setOwnFrameTest, type OwnFrameTest, type RawFrames } from './private/location.ts';
export {
  BerthError,
  SynthFailure,
  ValidationError,
  StateError,
  DriverError,
  InternalError,
  ERROR_CODES,
  type ErrorCode,
  type Diagnostic,
  type Severity,
  type SourceLocation,
} from './errors.ts';
