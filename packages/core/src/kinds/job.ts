import type { Construct } from 'constructs';
import { z } from 'zod';
import { Resource } from '../tree/resource.ts';
import { containerFields, dependsOnField } from './container.ts';
import { inputKit, type SchemaKit, strictObject } from './kit.ts';

/** Job props schema (both kits). */
export const jobSchema = <R, V>(k: SchemaKit<R, V>) =>
  strictObject({
    ...containerFields(k),
    /** Retries after a failed run before the deploy fails. @default 0 */
    backoffLimit: z.number().int().min(0).default(0),
    /** Longest a run may take. @default "10m" */
    timeout: k.durationDefault('10m'),
    /** Resources that must be ready first. @default [] */
    dependsOn: dependsOnField(k),
  });

export const JobProps = jobSchema(inputKit);
export type JobProps = z.input<typeof JobProps>;

/**
 * A container that runs to completion, such as a database migration. Resources that
 * depend on it (`dependsOn: [migrate]`) start only after it exited 0. It runs again when
 * its spec changes.
 *
 * @example
 * const migrate = new Job(cluster, 'migrate', { image: api, command: ['/app/migrate'] });
 * new Deployment(cluster, 'api', { image: api, dependsOn: [migrate] });
 */
export class Job extends Resource<JobProps> {
  constructor(scope: Construct, id: string, props: JobProps) {
    super(scope, id, 'Job', props);
  }
}
