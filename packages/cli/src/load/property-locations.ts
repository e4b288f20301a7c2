/**
 * Points a property's problem at the property's own line. Synth locates a problem at the
 * construct (`new Deployment(` — the stack frame of the call); the source of that call is read
 * here and its props literal walked along the property path, so
 * `resources.limits.memory: not a memory quantity` points at the `memory:` line.
 * When the props are not a literal at that call (built elsewhere, spread in, a construct made
 * through a subclass or a library), the construct's location stays.
 */
import { readFileSync } from 'node:fs';
import type { Diagnostic } from '@berth/core';
import { propertyOffset, SourceText } from './source-scan.ts';

/** Which argument of the constructor holds the props: `new Deployment(scope, id, props)`. */
const PROPS_ARG = 2;

export class PropertyLocator {
  private readonly sources = new Map<string, SourceText | null>();

  /** `d` with its location moved to its property, when that can be found. */
  locate(d: Diagnostic): Diagnostic {
    const loc = d.location;
    if (!loc || d.property === undefined || d.kind === undefined) return d;
    const src = this.source(loc.file);
    const at = src?.offsetOf(loc.line, loc.column);
    if (!src || at === undefined) return d;
    const call = src.callAt(at);
    // Only the construct's own call: a composite's props (`new WebApp(…)`) are not the
    // resource's, even when a key has the same name.
    if (!call || (call.callee !== d.kind && call.callee !== 'super')) return d;
    const props = call.args[PROPS_ARG];
    if (!props) return d;
    const offset = propertyOffset(props, d.property);
    if (offset === undefined) return d;
    return { ...d, location: { file: loc.file, ...src.positionOf(offset) } };
  }

  /** The parsed text of a file, or undefined when it cannot be read. */
  source(file: string): SourceText | undefined {
    let s = this.sources.get(file);
    if (s === undefined) {
      try {
        s = new SourceText(readFileSync(file, 'utf8'));
      } catch {
        s = null;
      }
      this.sources.set(file, s);
    }
    return s ?? undefined;
  }
}
