/**
 * Stage 6 of synthesis: the inputs read at synth and their hashes, so a diff already knows what
 * a code change rolls. An ImageBuild gets the hash of its context, Dockerfile, build args and
 * target (and its file count); a Config its data (read from `file` when given) and its sha256.
 * Files are read only through the {@link SourceReader}.
 */
import { createHash } from 'node:crypto';
import type { Entry } from './collect.ts';
import { cmpStr, type Diagnostics } from './diagnostics.ts';
import type { SourceReader } from './source-reader.ts';

export function hashContents(mine: readonly Entry[], reader: SourceReader, diags: Diagnostics): void {
  for (const e of mine) {
    const props = e.props;
    if (!props) continue;
    if (e.r.kind === 'ImageBuild') {
      const h = reader.hashBuildContext(props.context as string, props.dockerfile as string);
      if (!h.ok) {
        const what = h.problem === 'context-missing' ? `build context "${h.path}" does not exist` : `Dockerfile "${h.path}" does not exist`;
        diags.report({ code: 'synth.build-context', message: what, constructPath: e.path, kind: e.r.kind, property: h.problem === 'context-missing' ? 'context' : 'dockerfile', location: e.loc, hint: 'paths are relative to the directory of cluster.ts' });
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
