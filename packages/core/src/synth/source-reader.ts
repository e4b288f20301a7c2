/**
 * The only way synth touches files: the CLI passes a reader backed by the file system;
 * construct authors' tests may pass an in-memory one. Paths are as the program wrote them
 * (relative to cluster.ts).
 */
export type BuildContextHash =
  | { readonly ok: true; readonly hash: string; readonly files: number }
  | { readonly ok: false; readonly problem: BuildContextProblem; readonly path: string };

/** Why a build context cannot be hashed: a path that does not exist, or is not what it should be. */
export type BuildContextProblem = 'context-missing' | 'context-not-directory' | 'dockerfile-missing' | 'dockerfile-not-file';

export interface SourceReader {
  /** A file's text, or undefined when it does not exist. */
  readFile(path: string): string | undefined;
  /** sha256 over the context's files after .dockerignore plus the Dockerfile. */
  hashBuildContext(context: string, dockerfile: string): BuildContextHash;
}

/** A reader without files: contexts hash to their path, file reads find nothing. For unit tests of constructs. */
export const noFilesReader: SourceReader = {
  readFile: () => undefined,
  hashBuildContext: (context, dockerfile) => ({ ok: true, hash: `unread:${context}:${dockerfile}`, files: 0 }),
};
