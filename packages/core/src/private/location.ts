import type { SourceLocation } from '../errors.ts';

/**
 * Captures where user code created a construct: the first stack frames outside @berth/core.
 * Frames stay raw (positions in the loaded bundle); the loader maps them into cluster.ts
 * through its source map only when a location is printed or written, which keeps capture
 * cheap (about a microsecond) for programs with thousands of constructs.
 */
export type RawFrames = readonly SourceLocation[];

let coreFile: string | undefined;
let coreDir: string | undefined;

const keepSites = (_e: Error, sites: NodeJS.CallSite[]): NodeJS.CallSite[] => sites;

/**
 * The caller's stack as V8 CallSites. With `skip` (the constructor the program called, i.e.
 * `new.target`), V8 leaves out that call and every frame above it, so the walk starts at the
 * program's own frame and `limit` frames are all there is to build: capture is the largest
 * cost of creating a construct, and it grows with the frames V8 materialises.
 */
function callSites(skip: Function | undefined, limit: number): NodeJS.CallSite[] {
  const prevPrepare = Error.prepareStackTrace;
  const prevLimit = Error.stackTraceLimit;
  Error.prepareStackTrace = keepSites;
  Error.stackTraceLimit = limit;
  const holder: { stack?: unknown } = {};
  Error.captureStackTrace(holder, skip ?? callSites);
  const sites = holder.stack as NodeJS.CallSite[];
  Error.prepareStackTrace = prevPrepare;
  Error.stackTraceLimit = prevLimit;
  return Array.isArray(sites) ? sites : [];
}

function isCore(file: string): boolean {
  if (file === coreFile) return true;
  return coreDir !== undefined && file.startsWith(coreDir);
}

/**
 * One shared, frozen object per position: a program makes most of its constructs from a few
 * lines (loops, helpers), and thousands of equal location objects that live until synth were
 * work for the garbage collector.
 */
const frames = new Map<string, Map<number, SourceLocation>>();
let lastFrame: SourceLocation | undefined;
function frameAt(file: string, line: number, column: number): SourceLocation {
  // A loop makes its constructs from one position, thousands of times in a row.
  const l = lastFrame;
  if (l !== undefined && l.line === line && l.column === column && l.file === file) return l;
  let byPos = frames.get(file);
  if (!byPos) frames.set(file, (byPos = new Map()));
  // Lines and columns of a bundle stay far below 2^26, so the key is exact.
  const key = line * 0x4000000 + column;
  let f = byPos.get(key);
  if (!f) byPos.set(key, (f = Object.freeze({ file, line, column })));
  lastFrame = f;
  return f;
}

/** Whether a frame is the program's own code; see {@link setOwnFrameTest}. */
export type OwnFrameTest = (file: string, line: number, column: number) => boolean;

let ownFrame: OwnFrameTest | undefined;
/** One shared frozen one-frame list per location. */
const single = new Map<SourceLocation, RawFrames>();

/**
 * Lets a loader say which frames are the program's own (its cluster.ts, not a construct
 * library it installed), or stop saying it (`undefined`). Constructs are located by the first
 * own frame (see the CLI's source-map mapper), so when the construct's caller is own code,
 * one frame is all there is to capture, and a one-frame capture costs about half of the
 * default's. Without a test, or for a caller that is not own code, up to `max` frames are
 * captured as before. The result is the same location either way.
 */
export function setOwnFrameTest(test: OwnFrameTest | undefined): void {
  ownFrame = test;
}

/**
 * Up to `max` frames of the caller's stack that lie outside @berth/core. `ctor` is the
 * constructor the program called (`new.target`): frames from there up are skipped by V8
 * rather than captured and filtered here.
 */
export function captureFrames(ctor?: Function, max = 4): RawFrames {
  if (coreFile === undefined) {
    // Frame 0 is this file: in sources it sits in core/src/private/, in a bundle it is the bundle.
    const self = callSites(undefined, 1)[0]?.getFileName() ?? '';
    coreFile = self;
    const m = /^(.*[\\/]core[\\/]src[\\/])private[\\/]location\.ts$/.exec(self);
    coreDir = m ? m[1] : undefined;
  }
  if (ctor && ownFrame) {
    const site = callSites(ctor, 1)[0];
    const file = site?.getFileName();
    if (site && file && !isCore(file)) {
      const line = site.getLineNumber() ?? 0;
      const column = site.getColumnNumber() ?? 0;
      if (ownFrame(file, line, column)) {
        const f = frameAt(file, line, column);
        let one = single.get(f);
        if (!one) single.set(f, (one = Object.freeze([f])));
        return one;
      }
    }
  }
  // Two spare frames for core constructors a subclass may still pass through (a core construct
  // creating another); without `ctor` (or when it is not on the stack) the walk starts here.
  let sites = ctor ? callSites(ctor, max + 2) : [];
  if (sites.length === 0) sites = callSites(undefined, max + 10);
  const out: SourceLocation[] = [];
  for (const s of sites) {
    const file = s.getFileName();
    if (!file || isCore(file) || file.startsWith('node:')) continue;
    out.push(frameAt(file, s.getLineNumber() ?? 0, s.getColumnNumber() ?? 0));
    if (out.length >= max) break;
  }
  // Only core frames below the constructor (core building constructs itself): walk from here.
  return out.length === 0 && ctor ? captureFrames(undefined, max) : out;
}
