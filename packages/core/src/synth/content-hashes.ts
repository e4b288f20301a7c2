/**
 * Stage 6 of synthesis: the inputs read at synth and their hashes, so a diff already knows what
 * a code change rolls. An ImageBuild gets the hash of its context, Dockerfile, build args and
 * target (and its file count); a Config its data (read from `file` when given) and its sha256.
 * Files are read only through the {@link SourceReader}.
 */
import { createHash } from 'node:crypto';
import type { Entry } from './collect.ts';
import { cmpStr, type Diagnostics } from './diagnostics.ts';
import type { BuildContextProblem, SourceReader } from './source-reader.ts';

const RELATIVE = 'paths are relative to the directory of cluster.ts';
const BUILD_PROBLEMS: Record<BuildContextProblem, { property: string; message: (path: string) => string; hint: string }> = {
  'context-missing': { property: 'context', message: (p) => `build context "${p}" does not exist`, hint: RELATIVE },
  'context-not-directory': { property: 'context', message: (p) => `build context "${p}" is a file, not a directory`, hint: 'set context: to the directory that holds the Dockerfile and the files it copies (e.g. "./web"); name the Dockerfile with dockerfile:' },
  'dockerfile-missing': { property: 'dockerfile', message: (p) => `Dockerfile "${p}" does not exist`, hint: `${RELATIVE}; dockerfile: is relative to the context` },
  'dockerfile-not-file': { property: 'dockerfile', message: (p) => `Dockerfile "${p}" is a directory, not a file`, hint: 'set dockerfile: to the Dockerfile itself, relative to the context' },
};

export function hashContents(mine: readonly Entry[], reader: SourceReader, diags: Diagnostics): void {
  for (const e of mine) {
    const props = e.props;
    if (!props) continue;
    if (e.r.kind === 'ImageBuild') {
      const h = reader.hashBuildContext(props.context as string, props.dockerfile as string);
      if (!h.ok) {
        const what = BUILD_PROBLEMS[h.problem];
        diags.report({ code: 'synth.build-context', message: what.message(h.path), constructPath: e.path, kind: e.r.kind, property: what.property, location: e.loc, hint: what.hint });
        e.props = undefined;
        continue;
      }
      props.contentHash = createHash('sha256')
        .update(JSON.stringify([h.hash, props.dockerfile, sortedEntries(props.buildArgs), props.target ?? null]))
        .digest('hex');
      props.contextFiles = h.files;
    } else if (e.r.kind === 'Config') {
      let data = props.data as string | undefined;
      if (props.file !== undefined) {
        data = reader.readFile(props.file as string);
        if (data === undefined) {
          diags.report({ code: 'synth.build-context', message: `config file "${String(props.file)}" does not exist`, constructPath: e.path, kind: e.r.kind, property: 'file', location: e.loc, hint: 'paths are relative to the directory of cluster.ts' });
          e.props = undefined;
          continue;
        }
      }
      props.data = data;
      props.sha256 = createHash('sha256')
        .update(data ?? '')
        .digest('hex');
    }
  }
}

function sortedEntries(o: unknown): Array<[string, unknown]> {
  return Object.entries((o ?? {}) as Record<string, unknown>).sort(([a], [b]) => cmpStr(a, b));
}
