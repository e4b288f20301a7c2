/**
 * `berth diff`: what deploy would change, and why. Read-only: it takes no lock and writes
 * nothing but the optional `--out` plan file, which `deploy --plan` later applies exactly —
 * or refuses, when state, the program or the live system moved on in between.
 *
 *   exit 0  no changes      exit 2  changes      exit 1  error (including a blocked plan)
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { BerthError, type GraphJson } from '@berth/core';
import { checkPlanBasis, currentRelease, describePlacements, PLAN_VERSION, targetNotes, type Observed, type Plan, type State } from '@berth/engine';
import { APP_OPTIONS, paramFlags, parse } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { paramChanges, recordedParams } from '../load/params.ts';
import { renderPlan } from '../render/plan.ts';
import { closeSessions, hasChanges, openSessions, type ClusterSession, type SessionOptions } from '../session.ts';

export const DIFF_HELP = `berth diff [--app cluster.ts] [--json] [--out plan.json] [--no-observe]

Shows what berth deploy would change, resource by resource, with every property's before → after
and why a change forces a replace. Nothing is changed.

  --app FILE           the program (default ./cluster.ts)
  --cluster NAME       only this cluster (required with --out when the program has several)
  --json               print the plan as JSON (planVersion ${PLAN_VERSION}); one plan per line for several clusters
  --out FILE           also save the plan, for berth deploy --plan FILE
  --no-observe         do not look at the live system (no drift detection)
  --delete-volume ID   plan as if deploy got --delete-volume ID (repeatable)
  --verbose            list unchanged resources too
  --html FILE          also write the plan as a picture: one self-contained HTML file of the
                       graph, creates/updates/replaces/deletes coloured, the because on hover
  --set NAME=VALUE     set a parameter (app.param) for this run (repeatable)
  --env NAME           read parameters from this environment of berth.params.json

Parameters whose values differ from those of the last deploy are listed after the plan.

exit codes: 0 no changes, 2 changes, 1 error (or a plan deploy would refuse)
`;

export async function diffCommand(ctx: CommandContext): Promise<number> {
  const { values } = parse('diff', ctx.args, {
    ...APP_OPTIONS,
    cluster: { type: 'string' },
    'no-observe': { type: 'boolean' },
    'delete-volume': { type: 'string', multiple: true },
    verbose: { type: 'boolean', short: 'v' },
    html: { type: 'string' },
  });
  if (values.help) {
    ctx.stdout.write(DIFF_HELP);
    return 0;
  }
  // State lives in .berth beside cluster.ts (the session's store), the same place deploy uses.
  const options: SessionOptions = {
    app: values.app,
    params: paramFlags(values),
    cluster: values.cluster,
    observe: !values['no-observe'],
    allowDeleteVolumes: values['delete-volume'] ?? [],
  };
  const sessions = await openSessions(ctx, options);
  try {
    const plans = sessions.map((s) => s.plan);
    if (values.out !== undefined) {
      const only = plans.length === 1 ? plans[0] : undefined;
      if (!only) {
        throw new BerthError('cli.usage', `the program has ${plans.length} clusters; a plan file holds one`, {
          hint: `pass --cluster with one of: ${plans.map((p) => p.cluster).join(', ')}`,
        });
      }
      writePlanFile(resolve(ctx.cwd, values.out), only);
    }
    if (values.html !== undefined) {
      // The picture of the plan: the graph with each change coloured, its because on hover.
      const file = resolve(ctx.cwd, values.html);
      const { toHtml } = await import('../render/graph-html.ts');
      const { clusterView } = await import('../render/graph-view.ts');
      const { writeHtml } = await import('./graph.ts');
      writeHtml(file, toHtml(sessions.map((s) => clusterView(s.graph, s.plan)), `berth diff: ${sessions.map((s) => s.graph.cluster).join(', ')}`));
      ctx.stderr.write(`wrote ${relative(ctx.cwd, file) || file}\n`);
    }
    // A target that previews its own objects (kubernetes: a server-side apply dry-run per
    // object) adds what the API server says would change, drift by other managers and prunes.
    const previews = await Promise.all(sessions.map((s) => previewOf(s)));
    if (values.json) {
      // The plan holds its placement: where each replica goes, what moves and why.
      for (const [i, p] of plans.entries()) ctx.stdout.write(`${JSON.stringify(previews[i] ? { ...p, objects: previews[i].objects } : p)}\n`);
    } else {
      ctx.stdout.write(sessions.map((s) => runsNowLine(s.state, hasChanges(s.plan)) + renderPlan(s.plan, { color: ctx.color, verbose: Boolean(values.verbose) })).join('\n'));
      for (const s of sessions) {
        // Parameters are not resources: what they change shows above; that they changed, here.
        const changed = paramChanges(s.params, recordedParams(s.appDir, s.graph.cluster));
        if (changed.length > 0) ctx.stdout.write(`\nParameters (${s.graph.cluster}, since the last deploy):\n${changed.map((l) => `  ${l}`).join('\n')}\n`);
      }
      for (const s of sessions) {
        // Where each replica will run, what moves and why, and what cannot be placed (per node).
        const lines = s.plan.placement ? describePlacements(s.graph, s.plan.placement) : [];
        if (lines.length > 0) ctx.stdout.write(`\nPlacement (${s.graph.cluster}):\n${lines.join('\n')}\n`);
        // An orchestrator places replicas itself: where its tasks run now, and what it does differently.
        const now = s.plan.placement ? [] : tasksNow(s.observed);
        if (now.length > 0) ctx.stdout.write(`\nRunning now (${s.graph.cluster}, placed by ${s.graph.target.kind}):\n${now.join('\n')}\n`);
        const notes = targetNotes(s.graph);
        if (notes.length > 0) ctx.stdout.write(`\nNotes (${s.graph.target.kind}):\n${notes.map((n) => `  note: ${n}`).join('\n')}\n`);
      }
      for (const [i, pv] of previews.entries()) {
        if (!pv) continue;
        const shown = pv.objects.filter((o) => o.action !== 'noop' || o.lines.length > 0 || values.verbose);
        ctx.stdout.write(`\nKubernetes objects (${sessions[i]?.graph.cluster ?? ''}, server-side apply dry-run): ${shown.length === 0 ? 'no changes' : ''}\n`);
        for (const o of shown) {
          ctx.stdout.write(`  ${o.action.padEnd(8)} ${o.key}\n`);
          for (const l of o.lines) ctx.stdout.write(`             ${l}\n`);
        }
      }
      if (values.out !== undefined) ctx.stdout.write(`\nSaved the plan to ${relative(ctx.cwd, resolve(ctx.cwd, values.out))}; apply exactly it with: berth deploy --plan ${values.out}\n`);
    }
    // A plan deploy would refuse is an error, even though diff itself worked.
    if (plans.some((p) => p.issues.some((i) => i.severity === 'error'))) return 1;
    if (plans.some((p) => p.placement?.incomplete)) return 1;
    // Replicas that only move (a drained or dead node) are updates in the plan.
    return plans.some(hasChanges) || previews.some((pv) => pv?.changed) ? 2 : 0;
  } finally {
    await closeSessions(sessions);
  }
}

/**
 * Which release runs, and — after a rollback especially — whether the program is what runs:
 * `r15 runs (a rollback to r12); the program differs from what runs:`.
 */
export function runsNowLine(state: State, changes: boolean): string {
  const now = currentRelease(state);
  if (!now) return '';
  const what = now.kind === 'rollback' ? `a rollback to r${now.rollbackOf ?? '?'}` : 'deployed';
  const result = now.result === 'ok' ? '' : `, ${now.result}`;
  const tail = changes ? (now.kind === 'rollback' ? '; the program differs from what runs:' : '; the program differs from it:') : '; the program is what runs.';
  return `r${now.number} runs (${what} ${now.at.replace(/\.\d+Z$/, 'Z')} by ${now.by}${result})${tail}\n`;
}

interface Preview {
  readonly changed: boolean;
  readonly objects: ReadonlyArray<{ readonly key: string; readonly action: string; readonly lines: readonly string[] }>;
}

/** The target's object-level preview, when it has one (kubernetes). */
async function previewOf(s: ClusterSession): Promise<Preview | undefined> {
  const t = s.target as (ClusterSession['target'] & { preview?: (i: { state: State | undefined; secrets: ReadonlyMap<string, string>; secretVersions: Readonly<Record<string, string>> }) => Promise<Preview> }) | undefined;
  if (!t?.preview) return undefined;
  return t.preview({ state: s.deployedBefore ? s.state : undefined, secrets: s.secrets.values, secretVersions: s.secrets.versions });
}

/** Written whole or not at all: a half-written plan file must not be deployable. */
function writePlanFile(file: string, p: Plan): void {
  const tmp = `${file}.${randomUUID().slice(0, 8)}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(p, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/**
 * Reads a plan saved with `berth diff --out`: `cli.usage` when the file is unreadable,
 * `plan.invalid` when it is not a plan or another planVersion wrote it.
 */
export function loadPlanFile(file: string, cwd: string): Plan {
  const path = resolve(cwd, file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new BerthError('cli.usage', `cannot read the plan ${file}: ${(e as Error).message}`, { cause: e, hint: 'save one with berth diff --out plan.json' });
  }
  const p = raw as Partial<Plan> | null;
  if (typeof p !== 'object' || p === null || typeof p.planVersion !== 'number' || !Array.isArray(p.changes) || typeof p.basis !== 'object' || typeof p.cluster !== 'string') {
    throw new BerthError('plan.invalid', `${file} is not a berth plan`, { hint: 'save one with berth diff --out plan.json' });
  }
  if (p.planVersion !== PLAN_VERSION) {
    throw new BerthError('plan.invalid', `${file} has planVersion ${p.planVersion}; this berth applies planVersion ${PLAN_VERSION}`, {
      hint: 'make the plan again with this berth: berth diff --out plan.json',
    });
  }
  return p as Plan;
}

export interface CurrentBasis {
  readonly graph: GraphJson;
  /** The recorded state, or undefined for a cluster never deployed. */
  readonly state: State | undefined;
  readonly observed?: Observed | undefined;
  readonly secretVersions?: Readonly<Record<string, string>>;
}

/**
 * Refuses a saved plan that no longer describes what deploy would do: another deploy ran
 * (state serial or lineage), the program changed (graph hash), the live system changed, or a
 * secret changed. Throws `state.stale-plan` naming every reason.
 */
export function assertPlanFresh(p: Plan, file: string, now: CurrentBasis): void {
  const stale = checkPlanBasis(p, {
    graph: now.graph,
    state: now.state,
    ...(now.observed ? { observed: now.observed } : {}),
    ...(now.secretVersions ? { secretVersions: now.secretVersions } : {}),
  });
  if (stale.length === 0) return;
  throw new BerthError('state.stale-plan', `the plan ${file} is stale:\n${stale.map((x) => `  ${x.message}`).join('\n')}`, {
    hint: 'make a new plan with berth diff --out, review it, and deploy that',
  });
}

/** `  api: 2 on n1, 1 on n2` per Deployment the target reported replicas of. */
function tasksNow(observed: Observed | undefined): string[] {
  if (!observed) return [];
  const out: string[] = [];
  for (const [id, o] of Object.entries(observed.resources).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!o.replicas || o.replicas.length === 0) continue;
    const per = new Map<string, number>();
    for (const r of o.replicas) per.set(r.node, (per.get(r.node) ?? 0) + 1);
    out.push(`  ${id}: ${[...per].sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, k]) => `${k} on ${n}`).join(', ')}`);
  }
  return out;
}
