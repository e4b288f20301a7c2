import type { Construct } from 'constructs';
import { z } from 'zod';
import type { Ref } from '../refs.ts';
import { Resource } from '../tree/resource.ts';
import { inputKit, type SchemaKit, strictObject } from './kit.ts';

/** Secret props schema (both kits). The value itself is never part of the graph. */
export const secretSchema = <R, V>(_k: SchemaKit<R, V>) =>
  strictObject({
      /** Read the value from this environment variable at deploy time. */
      fromEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'not a valid environment variable name').optional(),
      /** Read the value from this file (relative to cluster.ts) at deploy time. */
      fromFile: z.string().min(1).optional(),
    })
    .refine((s) => (s.fromEnv === undefined) !== (s.fromFile === undefined), 'set exactly one of fromEnv or fromFile');

export const SecretProps = secretSchema(inputKit);
export type SecretProps = z.input<typeof SecretProps>;

/**
 * A sensitive value, read at deploy time from an environment variable or a file and
 * mounted as a read-only file (or, if you pass it in `env`, set as an env variable).
 * It never appears in plain text in synth output, state, logs or diffs.
 *
 * @example
 * const pw = new Secret(cluster, 'db-password', { fromEnv: 'DB_PASSWORD' });
 * new Deployment(cluster, 'db', { image, mounts: [{ secret: pw, path: '/run/secrets/db-password' }] });
 */
export class Secret extends Resource<SecretProps> {
  constructor(scope: Construct, id: string, props: SecretProps) {
    super(scope, id, 'Secret', props);
  }
  /** The value, resolved at deploy time (sensitive). */
  get value(): Ref {
    return this.attr('value');
  }
}
