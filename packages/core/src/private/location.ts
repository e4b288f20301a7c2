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

function callSites(): NodeJS.CallSite[] {
  const prevPrepare = Error.prepareStackTrace;
  const prevLimit = Error.stackTraceLimit;
  Error.prepareStackTrace = keepSites;
  // V8 builds one CallSite object per frame, so the limit is most of the cost of a capture.
  // Above the program's own frames lie only captureFrames and a constructor or two of core,
  // so 12 leaves room for the `max` frames we keep.
  Error.stackTraceLimit = 12;
  const holder: { stack?: unknown } = {};
  Error.captureStackTrace(holder, callSites);
  const sites = holder.stack as NodeJS.CallSite[];
  Error.prepareStackTrace = prevPrepare;
  Error.stackTraceLimit = prevLimit;
  return Array.isArray(sites) ? sites : [];
}

function isCore(file: string): boolean {
  if (file === coreFile) return true;
  return coreDir !== undefined && file.startsWith(coreDir);
}

/** Up to `max` frames of the caller's stack that lie outside @berth/core. */
export function captureFrames(max = 4): RawFrames {
  const sites = callSites();
  if (coreFile === undefined) {
    // Frame 0 is this file: in sources it sits in core/src/private/, in a bundle it is the bundle.
    const self = sites[0]?.getFileName() ?? '';
    coreFile = self;
    const m = /^(.*[\\/]core[\\/]src[\\/])private[\\/]location\.ts$/.exec(self);
    coreDir = m ? m[1] : undefined;
  }
  const out: SourceLocation[] = [];
  for (const s of sites) {
    const file = s.getFileName();
    if (!file || isCore(file) || file.startsWith('node:')) continue;
    out.push({ file, line: s.getLineNumber() ?? 0, column: s.getColumnNumber() ?? 0 });
    if (out.length >= max) break;
  }
  return out;
}
