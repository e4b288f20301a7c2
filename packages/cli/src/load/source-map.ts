import { isAbsolute, resolve as resolvePath, dirname } from 'node:path';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import type { RawFrames, SourceLocation } from '@berth/core';

/**
 * Maps positions in the bundle esbuild made of cluster.ts back to the user's files.
 * The map is decoded once; each lookup is a binary search, so mapping the source of
 * every resource of a 10 000-construct program stays cheap.
 */
export class BundleMapper {
  private readonly map: TraceMap;
  private readonly outDir: string;
  private readonly appDir: string;
  /** map1 per bundle position: programs create most constructs from a few lines (loops, helpers). */
  private readonly mapped = new Map<number, SourceLocation | null>();
  /** Whether a mapped file is the user's own code (in the app directory, outside node_modules). */
  private readonly own = new Map<string, boolean>();

  constructor(
    readonly bundleFile: string,
    mapText: string,
  ) {
    this.map = new TraceMap(mapText);
    this.outDir = dirname(bundleFile);
    this.appDir = `${this.outDir}/`;
  }

  /** An absolute-path location in a user file, or undefined for frames outside the bundle. */
  map1(loc: SourceLocation): SourceLocation | undefined {
    return loc.file === this.bundleFile ? this.mapAt(loc.line, loc.column) : undefined;
  }

  /** Whether a frame at this position is the user's own code (see resolve), for core's capture. */
  isOwn(file: string, line: number, column: number): boolean {
    if (file !== this.bundleFile) return false;
    // A loop asks about the same position thousands of times in a row.
    if (line === this.last.line && column === this.last.column) return this.last.own;
    const m = this.mapAt(line, column);
    const own = m !== undefined && this.ownFile(m.file);
    this.last = { line, column, own };
    return own;
  }
  private last = { line: -1, column: -1, own: false };

  private ownFile(file: string): boolean {
    let own = this.own.get(file);
    if (own === undefined) {
      own = file.startsWith(this.appDir) && !/[\\/]node_modules[\\/]/.test(file);
      this.own.set(file, own);
    }
    return own;
  }

  private mapAt(line: number, column: number): SourceLocation | undefined {
    // Lines and columns of a bundle stay far below 2^26, so the key is exact.
    const key = line * 0x4000000 + column;
    let m = this.mapped.get(key);
    if (m === undefined) {
      const pos = originalPositionFor(this.map, { line, column: Math.max(0, column - 1) });
      m = pos.source === null || pos.line === null ? null : Object.freeze({ file: isAbsolute(pos.source) ? pos.source : resolvePath(this.outDir, pos.source), line: pos.line, column: (pos.column ?? 0) + 1 });
      this.mapped.set(key, m);
    }
    // Shared and frozen: thousands of constructs made on one line get the same location.
    return m ?? undefined;
  }

  /**
   * The location to blame: the first frame in the user's own code (the app's directory, not
   * node_modules), so a construct made inside a library points at the line of cluster.ts that
   * used the library; else the first mapped frame.
   */
  resolve(frames: RawFrames): SourceLocation | undefined {
    let fallback: SourceLocation | undefined;
    for (const f of frames) {
      const m = this.map1(f);
      if (!m) continue;
      if (this.ownFile(m.file)) return m;
      fallback ??= m;
    }
    return fallback;
  }

  /** Rewrites `at … (bundle:line:col)` positions of a stack into cluster.ts positions. */
  rewriteStack(stack: string): string {
    const esc = this.bundleFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return stack.replace(new RegExp(`${esc}:(\\d+):(\\d+)`, 'g'), (all, l: string, c: string) => {
      const m = this.map1({ file: this.bundleFile, line: Number(l), column: Number(c) });
      return m ? `${m.file}:${m.line}:${m.column}` : all;
    });
  }

  /** The first user-code location in a stack trace. */
  locationInStack(stack: string): SourceLocation | undefined {
    const esc = this.bundleFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const frames: SourceLocation[] = [];
    for (const m of stack.matchAll(new RegExp(`${esc}:(\\d+):(\\d+)`, 'g'))) {
      frames.push({ file: this.bundleFile, line: Number(m[1]), column: Number(m[2]) });
    }
    return this.resolve(frames);
  }
}
