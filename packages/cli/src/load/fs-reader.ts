import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SourceReader } from '@berth/core';
import { hashBuildContext } from '@berth/engine';

/**
 * The file system behind synth: paths are relative to the directory of cluster.ts. A build
 * context hashes the same files the Docker driver will send (the engine's .dockerignore walk),
 * so a diff's "files under ./web changed" matches what a deploy builds.
 */
export function fsReader(appDir: string): SourceReader {
  return {
    readFile(path) {
      try {
        return readFileSync(resolve(appDir, path), 'utf8');
      } catch {
        return undefined;
      }
    },
    hashBuildContext(context, dockerfile) {
      const h = hashBuildContext(resolve(appDir, context), dockerfile);
      if (h.ok) return h;
      // Say it as the program wrote it, not as an absolute path.
      return { ...h, path: h.problem === 'context-missing' ? context : `${context.replace(/\/$/, '')}/${dockerfile}` };
    },
  };
}
