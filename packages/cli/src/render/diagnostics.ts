import { relative } from 'node:path';
import { Chalk } from 'chalk';
import type { Diagnostic, SourceLocation } from '@berth/core';

/** `cluster.ts:14:3`, relative to the directory the user ran berth in. */
export function formatLocation(loc: SourceLocation, cwd: string): string {
  const rel = relative(cwd, loc.file);
  const file = rel === '' ? loc.file : rel.startsWith('..') && rel.split('/').length > 4 ? loc.file : rel;
  return `${file}:${loc.line}:${loc.column}`;
}

/**
 * One diagnostic in berth's error shape:
 *
 *   error[props.invalid] cluster.ts:14:3  prod/web (Deployment)
 *     replicas: must be >= 0, got -1
 *     hint: use replicas: 0 to stop it, or remove the Deployment
 */
export function renderDiagnostic(d: Diagnostic, opts: { cwd: string; color: boolean }): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const head = [d.severity === 'warning' ? c.yellow.bold(`warning[${d.code}]`) : c.red.bold(`error[${d.code}]`)];
  if (d.location) head.push(c.bold(formatLocation(d.location, opts.cwd)));
  if (d.constructPath) head.push(` ${d.constructPath}${d.kind ? ` (${d.kind})` : ''}`);
  const lines = [head.join(' ')];
  for (const l of d.message.split('\n')) lines.push(`  ${l}`);
  if (d.hint) lines.push(c.dim(`  hint: ${d.hint}`));
  return lines.join('\n');
}

export function renderDiagnostics(ds: readonly Diagnostic[], opts: { cwd: string; color: boolean }): string {
  return ds.map((d) => renderDiagnostic(d, opts)).join('\n\n');
}

/** Diagnostics as data for `--json`: the errors, and the warnings found with them. */
export function diagnosticsJson(ds: readonly Diagnostic[], cwd: string): unknown {
  const warnings = ds.filter((d) => d.severity === 'warning');
  return {
    ok: false,
    errors: diagnosticsData(ds.filter((d) => d.severity !== 'warning'), cwd),
    ...(warnings.length > 0 ? { warnings: diagnosticsData(warnings, cwd) } : {}),
  };
}

/** Each diagnostic as a JSON object (location relative to `cwd`). */
export function diagnosticsData(ds: readonly Diagnostic[], cwd: string): unknown[] {
  return ds.map((d) => ({
      code: d.code,
      ...(d.severity ? { severity: d.severity } : {}),
      ...(d.rule ? { rule: d.rule } : {}),
      message: d.message,
      ...(d.location ? { location: { ...d.location, file: relative(cwd, d.location.file) || d.location.file } } : {}),
      ...(d.constructPath ? { constructPath: d.constructPath } : {}),
      ...(d.kind ? { kind: d.kind } : {}),
      ...(d.property ? { property: d.property } : {}),
      ...(d.hint ? { hint: d.hint } : {}),
    }));
}

/** Warnings on stderr, after the command's own output has been decided. */
export function writeWarnings(ds: readonly Diagnostic[], stderr: { write(s: string): unknown; readonly isTTY?: boolean }, opts: { cwd: string; color: boolean }): void {
  if (ds.length === 0) return;
  stderr.write(`${renderDiagnostics(ds, { cwd: opts.cwd, color: opts.color && Boolean(stderr.isTTY) })}

`);
}
