/**
 * `berth diff` as text: changes grouped by construct path, unchanged resources collapsed,
 * property-level before → after (multi-line values as unified diffs), the reason chain for
 * every replace, and one summary line. Colour only when asked, so pipes and tests get plain
 * text; secrets only ever appear as "(sensitive) changed" because the plan holds nothing else.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import { structuredPatch } from 'diff';
import type { Change, Plan, PlanIssue, PlanSummary, PropertyChange } from '@berth/engine';

export interface RenderPlanOptions {
  readonly color: boolean;
  /** List unchanged resources one by one instead of counting them. */
  readonly verbose?: boolean;
}

type Action = Change['action'];

const SYMBOL: Record<Action, string> = {
  create: '+',
  update: '~',
  replace: '-/+',
  delete: '-',
  move: '→',
  repair: '!',
  noop: ' ',
};

const REPLACE_LABEL: Record<string, string> = { Deployment: 'replace (rolling)', Job: 'replace (runs again)' };

function paint(c: ChalkInstance, action: Action): (s: string) => string {
  switch (action) {
    case 'create':
      return c.green;
    case 'update':
      return c.yellow;
    case 'replace':
      return c.magenta;
    case 'delete':
      return c.red;
    case 'move':
      return c.cyan;
    case 'repair':
      return c.yellow.bold;
    case 'noop':
      return c.dim;
  }
}

/** `shop/frontend` for `shop/frontend/web`: the construct that holds the resource. */
function groupOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(0, i);
}

function leafOf(change: Change): string {
  const i = change.path.lastIndexOf('/');
  return i < 0 ? change.id : change.path.slice(i + 1);
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A graph value as a reader would write it: refs as `${id.attr}`, templates as strings. */
export function formatValue(v: unknown): string {
  if (v === undefined) return '(none)';
  // A content hash in full is noise; 12 hex digits identify it as well as git's short ids.
  if (typeof v === 'string') return /^[0-9a-f]{64}$/.test(v) ? `${v.slice(0, 12)}…` : JSON.stringify(v);
  if (typeof v !== 'object' || v === null) return String(v);
  const o = v as Record<string, unknown>;
  if (typeof o.$ref === 'string' && typeof o.attr === 'string') return `\${${o.$ref}.${o.attr}}`;
  if (Array.isArray(o.$concat)) {
    const text = o.$concat
      .map((p) => (typeof p === 'string' ? p.replace(/[`\\$]/g, (m) => `\\${m}`) : formatValue(p)))
      .join('');
    return `\`${text}\``;
  }
  if (Array.isArray(v)) return `[${v.map(formatValue).join(', ')}]`;
  const keys = Object.keys(o).sort(byString);
  return `{ ${keys.map((k) => `${k}: ${formatValue(o[k])}`).join(', ')} }`;
}

/** What a reference resolves to (`build:<hash>`, `sha256:<hash>`): hashes shortened to 12. */
function formatToken(v: unknown): string {
  if (typeof v !== 'string') return formatValue(v);
  return v.replace(/\b([0-9a-f]{12})[0-9a-f]{20,}\b/g, '$1');
}

function isMultiline(v: unknown): v is string {
  return typeof v === 'string' && v.includes('\n');
}

function unifiedDiff(before: string, after: string, c: ChalkInstance, indent: string): string[] {
  const patch = structuredPatch('before', 'after', before, after, '', '', { context: 3 });
  const out: string[] = [];
  for (const h of patch.hunks) {
    out.push(indent + c.cyan(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`));
    for (const line of h.lines) {
      if (line.startsWith('+')) out.push(indent + c.green(line));
      else if (line.startsWith('-')) out.push(indent + c.red(line));
      else if (line.startsWith('\\')) out.push(indent + c.dim(line));
      else out.push(indent + line);
    }
  }
  return out;
}

function propertyLines(p: PropertyChange, c: ChalkInstance, indent: string): string[] {
  const name = p.via ? `${p.path} ${c.dim(`(via ${p.via})`)}` : p.path;
  const forces = p.forcesReplace ? ` ${c.magenta('(forces replace)')}` : '';
  if (p.sensitive) return [`${indent}${name}: ${c.yellow('(sensitive) changed')}${forces}`];
  if (isMultiline(p.before) || isMultiline(p.after)) {
    const before = typeof p.before === 'string' ? p.before : '';
    const after = typeof p.after === 'string' ? p.after : '';
    return [`${indent}${name}:${forces}`, ...unifiedDiff(before, after, c, `${indent}  `)];
  }
  const fmt = p.via ? formatToken : formatValue;
  const before = 'before' in p ? fmt(p.before) : '(none)';
  const after = 'after' in p ? fmt(p.after) : '(removed)';
  return [`${indent}${name}: ${c.red(before)} → ${c.green(after)}${forces}`];
}

/** The reason chain: the effect first, each `because …` cause indented under it. */
function reasonLines(reasons: readonly string[], c: ChalkInstance, indent: string): string[] {
  const out: string[] = [];
  for (const r of reasons) {
    if (r.startsWith('because ')) out.push(`${indent}     ${c.dim(r)}`);
    else out.push(`${indent}${c.dim('why:')} ${r}`);
  }
  return out;
}

function changeLines(ch: Change, c: ChalkInstance, width: number): string[] {
  const color = paint(c, ch.action);
  const sym = SYMBOL[ch.action].padStart(3);
  const label = ch.action === 'replace' ? (REPLACE_LABEL[ch.kind] ?? 'replace') : ch.action === 'noop' ? 'unchanged' : ch.action;
  const from = ch.movedFrom !== undefined ? ` ${c.cyan(`(moved from ${ch.movedFrom})`)}` : '';
  const blocked = ch.blocked ? ` ${c.red.bold('BLOCKED')}` : '';
  // A create or delete explains itself in a few words: keep them on the header line, so a
  // first deploy of a large program reads as one line per resource.
  const brief = (ch.action === 'create' || ch.action === 'delete') && ch.reasons[0] !== undefined ? `  ${c.dim(ch.reasons[0])}` : '';
  const out = [`${color(sym)} ${color(leafOf(ch).padEnd(width))}  ${c.dim(ch.kind.padEnd(10))}  ${color(label)}${from}${blocked}${brief}`];
  const indent = '      ';
  for (const p of ch.propertyChanges) out.push(...propertyLines(p, c, indent));
  for (const d of ch.drift ?? []) out.push(`${indent}${c.yellow('drift:')} ${d.what}: expected ${d.expected}, found ${d.observed}`);
  if (ch.action !== 'create' && ch.action !== 'delete' && ch.action !== 'noop') {
    out.push(...reasonLines(ch.reasons, c, indent));
  }
  return out;
}

function issueLines(issue: PlanIssue, c: ChalkInstance): string[] {
  const head = issue.severity === 'error' ? c.red.bold(`error[${issue.code}]`) : c.yellow.bold(`warning[${issue.code}]`);
  const out = [`${head} ${issue.id}: ${issue.message}`];
  if (issue.hint) out.push(c.dim(`  hint: ${issue.hint}`));
  return out;
}

/** `Plan: 2 to create, 1 to update, 1 to replace, 0 to delete (3 unchanged)`. */
export function summaryLine(s: PlanSummary): string {
  const changed = s.create + s.update + s.replace + s.delete + s.move + s.repair;
  if (changed === 0) return `No changes. ${s.noop} unchanged.`;
  const parts = [`${s.create} to create`, `${s.update} to update`, `${s.replace} to replace`, `${s.delete} to delete`];
  if (s.move > 0) parts.push(`${s.move} to move`);
  if (s.repair > 0) parts.push(`${s.repair} to repair`);
  const blocked = s.blocked > 0 ? `; ${s.blocked} blocked (see errors above)` : '';
  return `Plan: ${parts.join(', ')} (${s.noop} unchanged)${blocked}`;
}

export function renderPlan(plan: Plan, options: RenderPlanOptions): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const groups = new Map<string, Change[]>();
  for (const ch of plan.changes) {
    const g = groupOf(ch.path);
    const list = groups.get(g);
    if (list) list.push(ch);
    else groups.set(g, [ch]);
  }
  const lines: string[] = [c.bold(`cluster ${plan.cluster}`) + c.dim(plan.basis.stateSerial === null ? '  (not deployed yet)' : `  (state serial ${plan.basis.stateSerial})`)];
  for (const name of [...groups.keys()].sort(byString)) {
    const members = (groups.get(name) ?? []).slice().sort((a, b) => byString(a.path, b.path) || byString(a.id, b.id));
    const changed = members.filter((m) => m.action !== 'noop');
    const unchanged = members.length - changed.length;
    if (changed.length === 0 && !options.verbose) continue;
    const shown = options.verbose ? members : changed;
    const width = Math.min(32, Math.max(...shown.map((m) => leafOf(m).length)));
    lines.push('', c.bold(name));
    for (const ch of shown) lines.push(...changeLines(ch, c, width));
    if (!options.verbose && unchanged > 0) lines.push(c.dim(`    … ${unchanged} unchanged`));
  }
  if (plan.issues.length > 0) {
    lines.push('');
    for (const i of plan.issues) lines.push(...issueLines(i, c));
  }
  lines.push('', c.bold(summaryLine(plan.summary)));
  return `${lines.join('\n')}\n`;
}
