/**
 * The Kubernetes target lives in its own package, @berth/target-kubernetes (docs/adr/0008): a
 * Docker user never installs a Kubernetes client. It is loaded here, on first use, with a
 * run-time import() of its name — the CLI bundle keeps it external, and node finds it in
 * node_modules beside @berth/cli (or the user's project).
 */
import { isAbsolute, join } from 'node:path';
import { BerthError, SynthFailure, type Diagnostic, type GraphJson } from '@berth/core';
import type { Target } from '@berth/engine';

export const KUBERNETES_PACKAGE = '@berth/target-kubernetes';

/** What the CLI uses of the package (typed here: the CLI does not depend on it). */
export interface KubernetesModule {
  manifestYaml(graph: GraphJson): string;
  openKubernetesTarget(graph: GraphJson, opts: { readonly env: Readonly<Record<string, string | undefined>>; readonly appDir?: string; readonly forceConflicts?: boolean }): Promise<Target>;
}

let loaded: Promise<KubernetesModule> | undefined;

/** The package, or `load.missing-package` saying what to install. */
export function loadKubernetes(): Promise<KubernetesModule> {
  // A variable specifier: bundlers leave it alone, so it stays a run-time import.
  const spec: string = process.env['BERTH_KUBERNETES_PACKAGE'] ?? KUBERNETES_PACKAGE;
  const viaBin = (globalThis as Record<symbol, ((s: string) => Promise<unknown>) | undefined>)[Symbol.for('berth.import')];
  loaded ??= ((viaBin ? viaBin(spec) : import(spec)) as Promise<KubernetesModule>).catch((e: unknown) => {
    loaded = undefined;
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new BerthError('load.missing-package', `the kubernetes target needs the package ${KUBERNETES_PACKAGE}, which is not installed`, {
        cause: e,
        hint: `install it beside berth: npm install ${KUBERNETES_PACKAGE}`,
      });
    }
    throw e;
  });
  return loaded;
}

/**
 * Runs `f` and makes the locations of its diagnostics absolute: the graph keeps sources
 * relative to the app directory, the CLI renders them relative to where it runs.
 */
export async function located<T>(appDir: string, f: () => T | Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (BerthError.is(e) && 'diagnostics' in e) {
      const diags = (e as SynthFailure).diagnostics.map((d): Diagnostic => (d.location && !isAbsolute(d.location.file) ? { ...d, location: { ...d.location, file: join(appDir, d.location.file) } } : d));
      throw new SynthFailure(diags);
    }
    if (BerthError.is(e) && e.location && !isAbsolute(e.location.file)) {
      throw new BerthError(e.code, e.message, { constructPath: e.constructPath, kind: e.kind, property: e.property, hint: e.hint, cause: e.cause, location: { ...e.location, file: join(appDir, e.location.file) } });
    }
    throw e;
  }
}
