import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InternalError, type SourceReader } from '@berth/core';
import type { hashBuildContext as HashBuildContext } from '@berth/engine';

/**
 * The file system behind synth: paths are relative to the directory of cluster.ts. A build
 * context hashes the same files the Docker driver will send (the engine's .dockerignore walk),
 * so a diff's "files under ./web changed" matches what a deploy builds.
 *
 * The caller passes the engine's hashBuildContext when the program has an ImageBuild: loading
 * the engine (and the tar and .dockerignore packages behind it) costs more than synthesizing
 * a small program, so programs without builds never load it.
 */
export function fsReader(appDir: string, hashBuildContext?: typeof HashBuildContext): SourceReader {
  return {
    readFile(path) {
      try {
        return readFileSync(resolve(appDir, path), 'utf8');
      } catch {
        return undefined;
      }
    },
    hashBuildContext(context, dockerfile) {
      if (!hashBuildContext) throw new InternalError('fsReader: hashBuildContext was not loaded for a program with an ImageBuild');
      // What is there decides the message: a file given as the context is not "missing".
      const root = resolve(appDir, context);
      const shown = `${context.replace(/\/$/, '')}/${dockerfile}`;
      const rootKind = kindOf(root);
      if (rootKind === 'file') return { ok: false, problem: 'context-not-directory', path: context };
      if (rootKind === 'directory' && kindOf(join(root, dockerfile)) === 'directory') return { ok: false, problem: 'dockerfile-not-file', path: shown };
      const h = hashBuildContext(root, dockerfile);
      if (h.ok) return h;
      // Say it as the program wrote it, not as an absolute path.
      return { ...h, path: h.problem === 'context-missing' ? context : shown };
    },
  };
}

function kindOf(path: string): 'file' | 'directory' | 'other' | undefined {
  try {
    const st = statSync(path);
    return st.isDirectory() ? 'directory' : st.isFile() ? 'file' : 'other';
  } catch {
    return undefined;
  }
}
