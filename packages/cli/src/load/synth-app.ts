import { dirname, relative } from 'node:path';
import { SynthFailure, sortDiagnostics, synthesize, type Diagnostic, type GraphJson, type ResolvedParam } from '@berth/core';
import { paramInput, type ParamFlags } from './params.ts';
import { PropertyLocator } from './property-locations.ts';
import { fsReader } from './fs-reader.ts';
import { loadProgram, resolveAppFile, type LoadedProgram } from './program.ts';

export interface Synthesized {
  readonly program: LoadedProgram;
  readonly graphs: readonly GraphJson[];
  /** Policy warnings, in source order (each command shows them on stderr). */
  readonly warnings: readonly Diagnostic[];
  /** The program's parameters: each one's value and where it came from. */
  readonly params: Readonly<Record<string, ResolvedParam>>;
}

/**
 * Loads and synthesizes the program: the shared first step of synth, diff and deploy.
 * Graph sources are written relative to the app directory so the bytes do not depend on
 * where the checkout lives.
 */
export async function synthApp(cwd: string, app: string | undefined, flags?: ParamFlags): Promise<Synthesized> {
  const appFile = resolveAppFile(cwd, app);
  const program = await loadProgram(appFile, paramInput(dirname(appFile), flags));
  // Most resources of a program come from a few files: relative() once per file.
  const relFile = new Map<string, string>();
  const toRel = (abs: string): string => {
    let file = relFile.get(abs);
    if (file === undefined) {
      file = relative(program.appDir, abs);
      relFile.set(abs, file);
    }
    return file;
  };
  // The engine (build-context hashing) is loaded only for a program with an ImageBuild.
  const hashBuildContext = program.apps.some((a) => a.imageBuilds > 0) ? (await import('@berth/engine')).hashBuildContext : undefined;
  const reader = fsReader(program.appDir, hashBuildContext);
  const graphs: GraphJson[] = [];
  const problems: Diagnostic[] = [...program.problems];
  const warnings: Diagnostic[] = [];
  for (const a of program.apps) {
    try {
      // Diagnostics keep absolute paths (rendered relative to the cwd); the graph stays relative.
      const { graphs: gs, warnings: ws } = synthesize(a, { reader, resolveLocation: (f) => program.mapper.resolve(f), sourceFile: toRel });
      graphs.push(...gs);
      warnings.push(...ws);
    } catch (e) {
      if (!(e instanceof SynthFailure)) throw e;
      problems.push(...e.diagnostics);
    }
  }
  // Synth locates a problem at its construct; the source knows the property's own line.
  const locator = new PropertyLocator();
  if (problems.some((d) => d.severity !== 'warning')) {
    // Sorted again: some now point at their property's line.
    throw new SynthFailure(sortDiagnostics([...problems, ...warnings].map((d) => locator.locate(d))));
  }
  const params = program.apps[0]?.params.resolved() ?? {};
  return { program, graphs, warnings: sortDiagnostics([...problems, ...warnings].map((d) => locator.locate(d))), params };
}
