import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
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
      const h = hashBuildContext(resolve(appDir, context), dockerfile);
      if (h.ok) return h;
      // Say it as the program wrote it, not as an absolute path.
      const aboutContext = h.problem === 'context-missing' || h.problem === 'context-not-directory';
      return { ...h, path: aboutContext ? context : `${context.replace(/\/$/, '')}/${dockerfile}` };
    },
  };
}
