/**
 * `berth export <format>`: the program in another tool's format. Each format is its own module
 * with one function; this command only dispatches.
 */
import { BerthError } from '@berth/core';
import { parse } from '../args.ts';
import type { CommandContext } from '../context.ts';

export const EXPORT_HELP = `berth export <format> [--app cluster.ts] [--cluster NAME]

Prints the program in another tool's format on stdout.

formats:
  kubernetes   the manifests of every cluster whose target is kubernetes, one YAML stream,
               validated against Kubernetes' schemas (Secrets without data)

  --app FILE       the program (default ./cluster.ts)
  --cluster NAME   only this cluster
`;

type Exporter = (ctx: CommandContext, opts: { readonly app: string | undefined; readonly cluster: string | undefined }) => Promise<number>;

const FORMATS: Record<string, () => Promise<Exporter>> = {
  kubernetes: async () => (await import('./export-kubernetes.ts')).exportKubernetes,
};

export async function exportCommand(ctx: CommandContext): Promise<number> {
  const { values, positionals } = parse('export', ctx.args, { app: { type: 'string', short: 'a' }, cluster: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, true);
  if (values.help) {
    ctx.stdout.write(EXPORT_HELP);
    return 0;
  }
  const [format, ...rest] = positionals;
  const load = format === undefined ? undefined : FORMATS[format];
  if (!load || rest.length > 0) {
    throw new BerthError('cli.usage', format === undefined ? 'berth export needs a format' : rest.length > 0 ? `berth export takes one format, got ${positionals.join(' ')}` : `unknown export format "${format}"`, {
      hint: `formats: ${Object.keys(FORMATS).join(', ')}`,
    });
  }
  return (await load())(ctx, { app: values.app, cluster: values.cluster });
}
