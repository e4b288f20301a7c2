/**
 * Stage 6 of synthesis, the last: every stage reports its problems here instead of throwing, so
 * one run lists all of them; they are then sorted into source order and thrown once.
 */
import { SynthFailure, type Diagnostic, type SourceLocation } from '../errors.ts';

export class Diagnostics {
  private readonly list: Diagnostic[] = [];

  report(d: Diagnostic): void {
    this.list.push(d);
  }

  /**
   * Throws one {@link SynthFailure} listing every problem in source order (warnings among
   * them), if any error was reported.
   */
  throwIfAny(): void {
    if (!this.list.some((d) => d.severity !== 'warning')) return;
    throw new SynthFailure(sortDiagnostics(this.list));
  }

  /** The warnings reported (when no error was, they are all there is), in source order. */
  warnings(): Diagnostic[] {
    return sortDiagnostics(this.list.filter((d) => d.severity === 'warning'));
  }
}

/**
 * Diagnostics in source order: located ones by file, line and column, unlocated ones last;
 * ties keep the order they were reported in (Array.prototype.sort is stable).
 */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => cmpLoc(a.location, b.location));
}

/** Located problems first, by file, line and column; unlocated ones last. */
function cmpLoc(a: SourceLocation | undefined, b: SourceLocation | undefined): number {
  if (!a || !b) return (a ? 0 : 1) - (b ? 0 : 1);
  return cmpStr(a.file, b.file) || a.line - b.line || a.column - b.column;
}

export function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function fmtLoc(l: SourceLocation): string {
  return `${l.file}:${l.line}:${l.column}`;
}
