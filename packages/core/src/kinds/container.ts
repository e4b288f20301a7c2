/**
 * The container template shared by Deployment and Job: image, command, env, ports,
 * resources, health, mounts and restart policy.
 */
import { z } from 'zod';
import { strictObject } from './kit.ts';
import type { SchemaKit } from './kit.ts';

const port = z.number().int().min(1).max(65535);

export const RESTART_POLICIES = ['always', 'on-failure', 'unless-stopped', 'no'] as const;

const resourceList = <R, V>(k: SchemaKit<R, V>) =>
  strictObject({
    /** CPU: cores as a number (0.5) or millicores ("500m"). */
    cpu: k.cpu.optional(),
    /** Memory: "128Mi", "1G", or bytes. */
    memory: k.memory.optional(),
  });

const probeTiming = <R, V>(k: SchemaKit<R, V>) => ({
  /** Time between probes. @default "10s" */
  interval: k.durationDefault('10s'),
  /** Time a probe may take. @default "5s" */
  timeout: k.durationDefault('5s'),
  /** Consecutive failures before unhealthy. @default 3 */
  retries: z.number().int().min(1).default(3),
  /** Grace time after start during which failures do not count. @default "0s" */
  startPeriod: k.durationDefault('0s'),
});

export const healthSchema = <R, V>(k: SchemaKit<R, V>) =>
  z.discriminatedUnion('type', [
    strictObject({ type: z.literal('http'), path: z.string().startsWith('/').default('/'), port, ...probeTiming(k) }),
    strictObject({ type: z.literal('tcp'), port, ...probeTiming(k) }),
    strictObject({ type: z.literal('exec'), command: z.array(z.string()).min(1), ...probeTiming(k) }),
  ]);

const inputHealth = <R, V>(k: SchemaKit<R, V>) =>
  strictObject({
      /** HTTP GET that must answer 2xx/3xx: `{ path: '/health', port: 8080 }`. */
      http: strictObject({ path: z.string().startsWith('/').default('/'), port }).optional(),
      /** TCP connect: `{ port: 5432 }`. */
      tcp: strictObject({ port }).optional(),
      /** A command run in the container that must exit 0. */
      exec: strictObject({ command: z.array(z.string()).min(1) }).optional(),
      ...probeTiming(k),
    })
    .superRefine((h, ctx) => {
      const n = [h.http, h.tcp, h.exec].filter((x) => x !== undefined).length;
      if (n !== 1) ctx.addIssue({ code: 'custom', message: `set exactly one of http, tcp or exec (got ${n})` });
    })
    .transform((h) => {
      // Keys in sorted order, as the graph lists them (see strictObject).
      const { interval, retries, startPeriod, timeout } = h;
      if (h.http) return { interval, path: h.http.path, port: h.http.port, retries, startPeriod, timeout, type: 'http' as const };
      if (h.tcp) return { interval, port: h.tcp.port, retries, startPeriod, timeout, type: 'tcp' as const };
      return { command: h.exec?.command ?? [], interval, retries, startPeriod, timeout, type: 'exec' as const };
    });

/** Owner and permission bits of a mounted Config or Secret file. */
const fileOwner = {
  /** Numeric user id that owns the file. @default the container's numeric `user`, else 0 (root) */
  uid: z.number().int().min(0).max(2 ** 31 - 1).optional(),
  /** Numeric group id that owns the file. @default the group of a numeric `user` ("1000:1000"), else its uid, else 0 */
  gid: z.number().int().min(0).max(2 ** 31 - 1).optional(),
  /**
   * Permission bits as a number, written in octal: `0o440`. The file is read-only whatever
   * the bits say (it is mounted read-only). @default 0o400 for a Secret, 0o444 for a Config
   */
  mode: z.number().int().min(0).max(0o777).optional(),
};

const mountSchema = <R, V>(k: SchemaKit<R, V>) =>
  z.union([
    strictObject({ volume: k.ref(['Volume'], 'name'), path: z.string().startsWith('/'), readOnly: z.boolean().default(false) }),
    strictObject({ config: k.ref(['Config'], 'data'), path: z.string().startsWith('/'), ...fileOwner }),
    strictObject({ secret: k.ref(['Secret'], 'value'), path: z.string().startsWith('/'), ...fileOwner }),
  ]);

const portSchema = <R, V>(k: SchemaKit<R, V>) => {
  const obj = strictObject({
    containerPort: port,
    name: z.string().optional(),
    protocol: z.enum(['tcp', 'udp']).default('tcp'),
  });
  return k.mode === 'input'
    ? z.union([port.transform((p) => ({ containerPort: p, protocol: 'tcp' as const })), obj])
    : obj;
};

/** The fields of a container template, for both kits. */
export const containerFields = <R, V>(k: SchemaKit<R, V>) => ({
  /** The image: an {@link ImageBuild}, an {@link Image}, or an image name such as "busybox:1.36". */
  image: z.union([z.string().min(1), k.ref(['Image', 'ImageBuild'], 'image')]),
  /** Replaces the image's ENTRYPOINT. */
  command: z.array(z.string()).optional(),
  /** Replaces the image's CMD. */
  args: z.array(z.string()).optional(),
  /** Environment: literals, references (`db.host`) and Secrets. @default {} */
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'not a valid environment variable name'), k.value).default({}),
  /** Ports the container listens on. @default [] */
  ports: z.array(portSchema(k)).default([]),
  /** Requests (what the scheduler reserves) and limits (what the runtime enforces). @default {} */
  resources: strictObject({ requests: resourceList(k).optional(), limits: resourceList(k).optional() }).default({}),
  /** Health probe gating readiness and rollouts. */
  health: (k.mode === 'input' ? inputHealth(k) : healthSchema(k)).optional(),
  /** Volumes, configs and secrets mounted into the container. @default [] */
  mounts: z.array(mountSchema(k)).default([]),
  /** Working directory inside the container. */
  workingDir: z.string().optional(),
  /** User to run as, e.g. "1000:1000". */
  user: z.string().optional(),
  /**
   * {@link Network}s the containers join besides the cluster's own network (where Services
   * reach them); on each, the containers answer to the resource's id, as compose services do.
   */
  networks: z.array(k.ref(['Network'], 'name')).min(1).optional(),
  /**
   * The signal that asks the container to stop, e.g. "SIGQUIT" for nginx's graceful stop.
   * During a rollout it is sent only after the replica left every Service and its in-flight
   * requests finished. @default "SIGTERM" (or the image's STOPSIGNAL)
   */
  stopSignal: z
    .string()
    .regex(/^SIG[A-Z][A-Z0-9]*([+-][0-9]+)?$/, 'not a signal name: use one such as "SIGTERM", "SIGQUIT" or "SIGINT"')
    .optional(),
  /** How long the container may take to exit after its stop signal before it is killed, e.g. "30s". @default "10s" */
  stopGracePeriod: k.duration.optional(),
});

/** Resources a Deployment or Job must find ready first (any kind). @default [] */
export const dependsOnField = <R, V>(k: SchemaKit<R, V>) =>
  z.array(k.ref(['Job', 'Deployment', 'Service', 'Volume', 'Config', 'Secret', 'Network', 'ImageBuild', 'Image'], 'id')).default([]);

export { port as portNumber };
