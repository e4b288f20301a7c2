import { closeSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { graphChunks } from '@berth/core';
import { APP_OPTIONS, parse } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { synthApp } from '../load/synth-app.ts';

export const SYNTH_HELP = `berth synth [--app cluster.ts] [--out dir] [--json]

Compiles the program and writes one resource graph per cluster to <out>/<cluster>.graph.json
(default out: berth.out beside cluster.ts). Nothing is written when the program has problems.

  --app FILE   the program (default ./cluster.ts)
  --out DIR    where graphs go (default berth.out next to the program)
  --json       also print { ok, graphs } (or { ok: false, errors }) as JSON on stdout
`;

export async function synthCommand(ctx: CommandContext): Promise<number> {
  const { values } = parse('synth', ctx.args, APP_OPTIONS);
  if (values.help) {
    ctx.stdout.write(SYNTH_HELP);
    return 0;
  }
  const { program, graphs } = await synthApp(ctx.cwd, values.app);
  const outDir = values.out ? resolve(ctx.cwd, values.out) : join(program.appDir, 'berth.out');
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const g of graphs) {
    const file = join(outDir, `${g.cluster}.graph.json`);
    // Temp file + rename: a reader never sees half a graph. Written piece by piece, so a large
    // graph never exists as one string (formatGraph's bytes, see graphChunks).
    const fd = openSync(`${file}.tmp`, 'w');
    try {
      for (const chunk of graphChunks(g)) writeSync(fd, chunk);
    } finally {
      closeSync(fd);
    }
    renameSync(`${file}.tmp`, file);
    written.push(file);
  }
  if (values.json) {
    // Synthesized graphs are in canonical key order already; `graphs` sorts before `ok`.
    ctx.stdout.write(`${JSON.stringify({ graphs, ok: true })}\n`);
    return 0;
  }
  for (const [i, g] of graphs.entries()) {
    ctx.stdout.write(`${g.cluster}: ${g.resources.length} resources → ${relative(ctx.cwd, written[i] as string)}\n`);
  }
  return 0;
}
