/**
 * The Docker Engine layer: small effectful operations the docker Driver and the executor are
 * built on. One concept per file; this index names what is public to the rest of the engine.
 */
export { API_VERSION, connect, ping, tryPing, type DockerClient, type DockerEndpoint } from './connect.ts';
export { dockerError, statusOf } from './driver-error.ts';
export {
  LABEL_CLUSTER,
  LABEL_COMPONENT,
  LABEL_ORDINAL,
  LABEL_RELEASE,
  LABEL_RESOURCE,
  LABEL_SPEC,
  clusterLabels,
  labelFilter,
  type Labels,
} from './labels.ts';
export {
  buildImage,
  buildTaggedImage,
  imageExists,
  imageTag,
  loadImages,
  removeImage,
  saveImages,
  transferImages,
  tryImageId,
  type BuildImageOptions,
  type BuildTaggedImageOptions,
  type BuiltImage,
} from './images.ts';
export { connectNetwork, disconnectNetwork, ensureClusterNetwork, ensureNetwork, listNetworks, networkName, removeNetwork, setNetworkAliases } from './networks.ts';
export { ensureVolume, listVolumes, removeVolume, volumeName } from './volumes.ts';
export { CONFIG_MODE, FILES_COMPONENT, SECRET_MODE, ensureFilesHolder, filesVolumeName, removeFiles, tarFiles, writeFiles, type FileBind, type InjectedFile } from './files.ts';
export {
  containerIp,
  containerName,
  createBody,
  createContainer,
  inspectContainer,
  listContainers,
  publishedPort,
  removeContainer,
  runContainer,
  startContainer,
  stopContainer,
  tryInspectContainer,
  type ContainerInfo,
  type ContainerSpec,
  type ContainerSummary,
  type HealthcheckSpec,
  type MountSpec,
  type PortSpec,
  type RestartSpec,
} from './containers.ts';
export { waitForExit, waitForHealth, type ExitOutcome, type HealthOutcome, type WaitForHealthOptions } from './health.ts';
export { LogDemuxer, demux, followLogs, readLogs, type LogLine, type LogOptions } from './logs.ts';
export { execInContainer, type ExecResult } from './exec.ts';
export { removeAllByLabel, type RemovedByLabel } from './cleanup.ts';
export { ensureNodeBaseImage } from './node-base.ts';
export {
  DEFAULT_PROXY_DIR,
  NODE_BASE_IMAGE,
  buildProxyImage,
  configureProxy,
  proxyContainerSpec,
  proxyImageTag,
  proxyStats,
  waitForProxyDrain,
  type ProxyConfig,
  type ProxyContainerOptions,
  type ProxyStats,
} from './proxy.ts';
