import { relative } from 'node:path';
import { synthesize, type GraphJson, type SourceLocation } from '@berth/core';
import { fsReader } from './fs-reader.ts';
import { loadProgram, resolveAppFile, type LoadedProgram } from './program.ts';

export interface Synthesized {
  readonly program: LoadedProgram;
  readonly graphs: readonly GraphJson[];
}

/**
 * Loads and synthesizes the program: the shared first step of synth, diff and deploy.
 * Graph sources are written relative to the app directory so the bytes do not depend on
 * where the checkout lives.
 */
export async function synthApp(cwd: string, app: string | undefined): Promise<Synthesized> {
  const appFile = resolveAppFile(cwd, app);
  const program = await loadProgram(appFile);
  const toRel = (l: SourceLocation | undefined): SourceLocation | undefined =>
    l && { file: relative(program.appDir, l.file), line: l.line, column: l.column };
  const graphs: GraphJson[] = [];
  for (const a of program.apps) {
    // Diagnostics keep absolute paths (rendered relative to the cwd); the graph stays relative.
    const { graphs: gs } = synthesize(a, { reader: fsReader(program.appDir), resolveLocation: (f) => program.mapper.resolve(f) });
    for (const g of gs) {
      graphs.push({ ...g, resources: g.resources.map((r) => (r.source ? { ...r, source: toRel(r.source) as SourceLocation } : r)) });
    }
  }
  return { program, graphs };
}
