import type { Construct } from 'constructs';
import { z } from 'zod';
import type { Ref } from '../refs.ts';
import { Resource } from '../tree/resource.ts';
import { containerFields, dependsOnField, RESTART_POLICIES } from './container.ts';
import { inputKit, type SchemaKit, strictObject } from './kit.ts';

/** Deployment props schema (both kits). */
export const deploymentSchema = <R, V>(k: SchemaKit<R, V>) =>
  strictObject({
    ...containerFields(k),
    /** How many replicas run. @default 1 */
    replicas: z.number().int().min(0, 'must be >= 0').default(1),
    /** What the runtime does when a container exits. @default "always" */
    restart: z.enum(RESTART_POLICIES).default('always'),
    /** Rolling update strategy. @default { maxSurge: 1, maxUnavailable: 0, progressDeadline: "60s" } */
    update: strictObject({
        /** Extra replicas allowed during an update. @default 1 */
        maxSurge: z.number().int().min(0).default(1),
        /** Replicas that may be unavailable during an update. @default 0 */
        maxUnavailable: z.number().int().min(0).default(0),
        /** How long a new replica may take to become healthy before the update rolls back. @default "60s" */
        progressDeadline: k.durationDefault('60s'),
        /**
         * Start a few replicas of the new spec first, beside the old ones and behind the same
         * Services (requests split by replica count), watch them for `pause`, then roll the rest
         * (`promote: 'auto'`) or stop there until `berth promote` / `berth abort` (`'manual'`).
         * A failing health check or more than `maxErrors` failed requests to a canary (5xx
         * answers and connection failures, counted by berth's proxy) aborts: the canary goes,
         * the old replicas are untouched. Only an update of a running Deployment has a canary.
         * @example { replicas: 1, pause: '30s', promote: 'auto' }
         */
        canary: strictObject({
          /** How many replicas, or a share of `replicas` (`'10%'`, at least 1). @default 1 */
          replicas: z.union([z.number().int().min(1, 'must be >= 1'), z.string().regex(/^(100|[1-9][0-9]?)%$/, "a share between '1%' and '100%'")]).default(1),
          /** How long the canary is watched before it is promoted. @default "30s" */
          pause: k.durationDefault('30s'),
          /** `auto`: roll the rest after the pause; `manual`: wait for `berth promote` or `berth abort`. @default "auto" */
          promote: z.enum(['auto', 'manual']).default('auto'),
          /** Failed requests to the canary tolerated during the pause. @default 0 */
          maxErrors: z.number().int().min(0, 'must be >= 0').default(0),
        }).optional(),
      })
      .refine((u) => u.maxSurge + u.maxUnavailable > 0, 'maxSurge and maxUnavailable cannot both be 0')
      .prefault({}),
    /** Where replicas may run. @default spread, no constraints */
    placement: strictObject({
        /** Node labels a node must carry, e.g. `{ zone: 'eu' }`. @default {} */
        constraints: z.record(z.string(), z.string()).default({}),
        /** Spread replicas evenly across the values of a node label. */
        spreadBy: strictObject({ label: z.string(), maxSkew: z.number().int().min(1).default(1) }).optional(),
        /** At most this many replicas per node. */
        maxPerNode: z.number().int().min(1).optional(),
        /** spread (least allocated first) or binpack (most allocated first). @default "spread" */
        strategy: z.enum(['spread', 'binpack']).default('spread'),
        /** Higher priorities are placed first and may preempt lower ones with an explicit flag. @default 0 */
        priority: z.number().int().default(0),
      })
      .prefault({}),
    /** Resources that must be ready first, e.g. a migration Job. @default [] */
    dependsOn: dependsOnField(k),
  });

export const DeploymentProps = deploymentSchema(inputKit);
export type DeploymentProps = z.input<typeof DeploymentProps>;

/**
 * Replicas of a container template, rolled out safely.
 *
 * @example
 * new Deployment(cluster, 'web', {
 *   image: build, replicas: 3, ports: [8080],
 *   health: { http: { path: '/health', port: 8080 }, interval: '2s' },
 *   resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { memory: '128Mi' } },
 * });
 */
export class Deployment extends Resource<DeploymentProps> {
  constructor(scope: Construct, id: string, props: DeploymentProps) {
    super(scope, id, 'Deployment', props);
  }
  /** The deployment's name in the runtime. */
  get name(): Ref {
    return this.attr('name');
  }
}
