import { relative } from 'node:path';
import { isResource, synthesize, type App, type GraphJson, type SourceLocation } from '@berth/core';
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
  // Most resources of a program come from a few files: relative() once per file.
  const relFile = new Map<string, string>();
  const toRel = (l: SourceLocation): SourceLocation => {
    let file = relFile.get(l.file);
    if (file === undefined) {
      file = relative(program.appDir, l.file);
      relFile.set(l.file, file);
    }
    return { column: l.column, file, line: l.line };
  };
  const hashBuildContext = program.apps.some(hasImageBuild) ? (await import('@berth/engine')).hashBuildContext : undefined;
  const reader = fsReader(program.appDir, hashBuildContext);
  const graphs: GraphJson[] = [];
  for (const a of program.apps) {
    // Diagnostics keep absolute paths (rendered relative to the cwd); the graph stays relative.
    const { graphs: gs } = synthesize(a, { reader, resolveLocation: (f) => program.mapper.resolve(f) });
    for (const g of gs) {
      graphs.push({ ...g, resources: g.resources.map((r) => (r.source ? { ...r, source: toRel(r.source) } : r)) });
    }
  }
  return { program, graphs };
}

function hasImageBuild(app: App): boolean {
  return app.node.findAll().some((c) => isResource(c) && c.kind === 'ImageBuild');
}
