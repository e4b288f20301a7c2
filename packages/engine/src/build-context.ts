/**
 * A Docker build context as berth sees it: the files of a directory that `.dockerignore` lets
 * through, in a stable order. Synth hashes exactly these files (so `diff` knows which images a code
 * change rebuilds) and the docker driver sends exactly these files as the build's tar body, so the
 * hash and the build can never disagree about what is in the context.
 *
 * The matcher is @balena/dockerignore, a port of moby's fileutils matcher, so `!` exceptions,
 * `**` and parent-directory matches behave as with `docker build`.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import dockerignoreModule from '@balena/dockerignore';
import tarFs from 'tar-fs';
import type { BuildContextHash, BuildContextProblem as BuildContextProblemCode } from '@berth/core';
import { DriverError } from '@berth/core';

/** The files of a build context after `.dockerignore`, ready to hash or to tar. */
export interface BuildContext {
  /** Absolute path of the context directory. */
  readonly dir: string;
  /** The Dockerfile as given, relative to the context (may point outside it, e.g. `../Dockerfile`). */
  readonly dockerfile: string;
  /** The Dockerfile's name inside the tar; pass it as the build's `dockerfile` parameter. */
  readonly dockerfileInTar: string;
  /** The Dockerfile's content. */
  readonly dockerfileContent: Buffer;
  /**
   * Regular files and symlinks that `.dockerignore` lets through, as POSIX paths relative to `dir`,
   * sorted by code unit (not locale) so every machine gets the same order. Directories are implied.
   */
  readonly files: readonly string[];
}

/** Where an outside-the-context Dockerfile goes in the tar (the docker CLI does the same trick). */
const OUTSIDE_DOCKERFILE = '.berth.Dockerfile';

/**
 * Problems reading a context, as data: synth turns them into diagnostics, the driver into errors.
 * What is there decides the problem: a file given as the context is not "missing".
 */
export type BuildContextProblem = { readonly problem: BuildContextProblemCode; readonly path: string };

/** Reads a context, or says what is wrong with it. Synchronous because synth's SourceReader is. */
export function tryReadBuildContext(dir: string, dockerfile = 'Dockerfile'): BuildContext | BuildContextProblem {
  const root = path.resolve(dir);
  const rootKind = kindOf(root);
  if (rootKind === undefined) return { problem: 'context-missing', path: root };
  if (rootKind !== 'directory') return { problem: 'context-not-directory', path: root };
  const dockerfilePath = path.resolve(root, dockerfile);
  let dockerfileContent: Buffer;
  try {
    dockerfileContent = fs.readFileSync(dockerfilePath);
  } catch (e) {
    return { problem: (e as NodeJS.ErrnoException).code === 'EISDIR' ? 'dockerfile-not-file' : 'dockerfile-missing', path: dockerfilePath };
  }
  const rel = toPosix(path.relative(root, dockerfilePath));
  const inside = !rel.startsWith('../') && rel !== '..' && !path.isAbsolute(rel);
  const files = walk(root, loadIgnore(root));
  return {
    dir: root,
    dockerfile,
    // An ignored Dockerfile is still sent (as docker does); one outside the context gets a fixed name.
    dockerfileInTar: inside ? rel : OUTSIDE_DOCKERFILE,
    dockerfileContent,
    files,
  };
}

/** Reads a context; throws a DriverError (`synth.build-context`) naming what is missing. */
export function readBuildContext(dir: string, dockerfile = 'Dockerfile'): BuildContext {
  const ctx = tryReadBuildContext(dir, dockerfile);
  if ('problem' in ctx) {
    const context = ctx.problem === 'context-missing' || ctx.problem === 'context-not-directory';
    const what = { 'context-missing': 'build context directory not found', 'context-not-directory': 'build context is not a directory', 'dockerfile-missing': 'Dockerfile not found', 'dockerfile-not-file': 'Dockerfile is a directory' }[ctx.problem];
    throw new DriverError('synth.build-context', `${what}: ${ctx.path}`, {
      driver: 'docker',
      hint: `check the ImageBuild's ${context ? 'context' : 'dockerfile'} path`,
    });
  }
  return ctx;
}

/**
 * sha256 over the context's files (path, type, executable bit, content or link target) and the
 * Dockerfile. Build args and target are not in here: core adds them. Matches `SourceReader`'s
 * `hashBuildContext`, so the CLI can pass this function straight to synth.
 */
export function hashBuildContext(dir: string, dockerfile = 'Dockerfile'): BuildContextHash {
  const ctx = tryReadBuildContext(dir, dockerfile);
  if ('problem' in ctx) return { ok: false, problem: ctx.problem, path: ctx.path };
  const h = createHash('sha256');
  h.update(`dockerfile\0${ctx.dockerfileInTar}\0`).update(ctx.dockerfileContent).update('\0');
  for (const rel of ctx.files) {
    const abs = path.join(ctx.dir, rel);
    const st = fs.lstatSync(abs);
    if (st.isSymbolicLink()) {
      h.update(`link\0${rel}\0${fs.readlinkSync(abs)}\0`);
    } else {
      // Only the executable bit matters for what a COPY produces; other mode bits and mtimes
      // differ between checkouts and must not change the hash.
      const exec = (st.mode & 0o111) !== 0 ? 'x' : '-';
      h.update(`file\0${rel}\0${exec}\0${st.size}\0`).update(fs.readFileSync(abs)).update('\0');
    }
  }
  return { ok: true, hash: h.digest('hex'), files: ctx.files.length };
}

/**
 * A tar stream of exactly `ctx.files` plus the Dockerfile, owned by root:root as the docker CLI
 * sends them (otherwise COPY would create files owned by the host user's uid).
 */
export function packBuildContext(ctx: BuildContext): Readable {
  const dockerfileListed = ctx.files.includes(ctx.dockerfileInTar);
  const pack = tarFs.pack(ctx.dir, {
    entries: [...ctx.files],
    // tar-fs finalizes before calling `finish` unless told not to; we still have the Dockerfile to add.
    finalize: false,
    map: (header) => ({ ...header, uid: 0, gid: 0 }),
    finish: (pack) => {
      if (!dockerfileListed) {
        pack.entry({ name: ctx.dockerfileInTar, mode: 0o644, uid: 0, gid: 0 }, ctx.dockerfileContent);
      }
      pack.finalize();
    },
  });
  // tar-fs yields a streamx stream; wrap it so callers get a plain node Readable (dockerode, pipe, typings).
  return Readable.from(pack);
}

function loadIgnore(root: string): (rel: string) => boolean {
  let text: string;
  try {
    text = fs.readFileSync(path.join(root, '.dockerignore'), 'utf8');
  } catch {
    return () => false;
  }
  const lines = text.split(/\r?\n/);
  // Case-sensitive as on a Linux daemon (the library defaults to ignorecase for Windows' sake).
  // The package is CommonJS with `export default` in its typings; under NodeNext the default import
  // is module.exports, which carries the factory again as `.default`.
  const ig = dockerignoreModule.default({ ignorecase: false }).add(lines);
  return (rel) => ig.ignores(rel);
}

function walk(root: string, ignored: (rel: string) => boolean): string[] {
  const ignoreText = safeRead(path.join(root, '.dockerignore'));
  // With `!` exceptions, a file inside an ignored directory can be re-included, so we must descend;
  // without them an ignored directory (node_modules, .git) is skipped whole, which is the common case.
  const hasExceptions = /^\s*!/m.test(ignoreText);
  const out: string[] = [];
  const visit = (relDir: string): void => {
    const entries = fs.readdirSync(path.join(root, relDir), { withFileTypes: true });
    for (const e of entries) {
      const rel = relDir === '' ? e.name : `${relDir}/${e.name}`;
      if (e.isDirectory()) {
        if (ignored(rel) && !hasExceptions) continue;
        visit(rel);
      } else if (e.isFile() || e.isSymbolicLink()) {
        if (!ignored(rel)) out.push(rel);
      }
      // Sockets, fifos and devices cannot go into a tar context; docker skips them too.
    }
  };
  visit('');
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function safeRead(p: string): string {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return '';
  }
}

function kindOf(p: string): 'file' | 'directory' | 'other' | undefined {
  try {
    const st = fs.statSync(p);
    return st.isDirectory() ? 'directory' : st.isFile() ? 'file' : 'other';
  } catch {
    return undefined;
  }
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
