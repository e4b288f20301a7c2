import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { BerthError } from '@berth/core';
import type { GraphJson } from '@berth/core';
import { checkPlanBasis, DEFAULT_KEEP_IMAGES, describePlacements, releasePins, settleRunning, type ExecuteResult, type Plan, type State, type StateLock, type StateStore } from '@berth/engine';
import { APP_OPTIONS, paramFlags, parse } from '../args.ts';
import { needsBaseImage, prepareBaseImages } from '../base-images.ts';
import type { CommandContext } from '../context.ts';
import { recordParams } from '../load/params.ts';
import { requireSecrets } from '../load/secrets.ts';
import { liveProgress } from '../render/live.ts';
import { progressPrinter } from '../render/progress.ts';
import { renderPlan } from '../render/plan.ts';
import { beginRelease, pruneSnapshots } from '../release.ts';
import { closeSessions, hasChanges, openSessions, type ClusterSession } from '../session.ts';

export const DEPLOY_HELP = `berth deploy [--app cluster.ts] [--yes] [--plan plan.json] [--parallelism N] [--json]

Shows the plan, asks on a terminal, and makes the runtime match the program: builds images,
runs jobs, rolls Deployments out health-gated (rolling back on failure), points Services at
ready replicas. Every finished step is recorded in .berth/, so an interrupted deploy is
finished by running deploy again.

  --yes                 do not ask (required when stdin is not a terminal)
  --plan FILE           apply exactly this saved plan (berth diff --out); refused when state,
                        the program or the live system changed since it was made
  --parallelism N       at most N steps at once (default 64)
  --cluster NAME        only this cluster
  --delete-volume ID    allow deleting or replacing this Volume (repeatable)
  --force-unlock        remove a stale lock left by a crashed berth first
  --allow-partial       deploy even when some replicas cannot be placed
  --preempt             evict lower-priority replicas to place higher-priority ones
  --keep-images N       after a successful deploy, keep the images of the last N good releases
                        (the rollback targets berth history lists) and remove older builds
                        (default 3; 0 keeps only what runs)
  --force-conflicts     kubernetes: take over fields another field manager owns
  --verbose             show build output
  --set NAME=VALUE      set a parameter (app.param) for this run (repeatable)
  --env NAME            read parameters from this environment of berth.params.json
  --json                print JSON lines: a "plan" event per cluster, the executor's step
                        events, and a "result" event per cluster (ok, seconds, urls); a
                        "base-image" event when berth builds its berth/node-base:1 on an engine
`;

export async function deployCommand(ctx: CommandContext): Promise<number> {
  const { values } = parse('deploy', ctx.args, {
    ...APP_OPTIONS,
    yes: { type: 'boolean', short: 'y' },
    plan: { type: 'string' },
    parallelism: { type: 'string' },
    cluster: { type: 'string' },
    'delete-volume': { type: 'string', multiple: true },
    'force-unlock': { type: 'boolean' },
    'allow-partial': { type: 'boolean' },
    preempt: { type: 'boolean' },
    'force-conflicts': { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
    'keep-images': { type: 'string' },
  });
  if (values.help) {
    ctx.stdout.write(DEPLOY_HELP);
    return 0;
  }
  // 64, as docker-compose's parallel limit: a rollout step spends nearly all its time waiting
  // for health checks, so with 4 an app of 50 Deployments came up in 13 waves (twice compose's
  // time to all-healthy, bench/deploy) and with 16 in 4.
  const parallelism = values.parallelism === undefined ? 64 : Number(values.parallelism);
  if (!Number.isInteger(parallelism) || parallelism < 1) {
    throw new BerthError('cli.usage', `--parallelism must be a whole number >= 1, got "${values.parallelism}"`);
  }
  const keepImages = keepImagesOption(values['keep-images']);
  const json = Boolean(values.json);
  const say = (s: string): void => {
    if (!json) ctx.stdout.write(s);
  };
  // With --json a machine reads the whole run from stdout: what was planned, each step, and
  // how each cluster ended. Nothing else is written there.
  const event = (e: Record<string, unknown>): void => {
    if (json) ctx.stdout.write(`${JSON.stringify(e)}\n`);
  };
  const sessions = await openSessions(ctx, {
    app: values.app,
    params: paramFlags(values),
    cluster: values.cluster,
    observe: true,
    allowDeleteVolumes: values['delete-volume'] ?? [],
    lock: 'deploy',
    forceUnlock: Boolean(values['force-unlock']),
    allowPreemption: Boolean(values.preempt),
    forceConflicts: Boolean(values['force-conflicts']),
  });
  try {
    let failed = false;
    for (const s of sessions) {
      const p = values.plan ? savedPlan(ctx, values.plan, s) : s.plan;
      const blocked = p.issues.filter((i) => i.severity === 'error');
      if (blocked.length > 0) {
        throw new BerthError('plan.protected', blocked.map((i) => i.message).join('\n'), { hint: blocked[0]?.hint ?? 'see berth diff' });
      }
      say(renderPlan(p, { color: ctx.color }));
      event({ type: 'plan', cluster: s.graph.cluster, summary: p.summary, changes: p.changes.filter((c) => c.action !== 'noop').map((c) => ({ id: c.id, kind: c.kind, action: c.action })) });
      const placementLines = p.placement ? describePlacements(s.graph, p.placement) : [];
      if (placementLines.length > 0) say(`\nPlacement:\n${placementLines.join('\n')}\n`);
      if (p.placement?.incomplete && !values['allow-partial']) {
        const n = p.placement.unplaced.reduce((sum, u) => sum + u.ordinals.length, 0);
        throw new BerthError('plan.unplaceable', `${n} replica${n === 1 ? '' : 's'} cannot be placed on any node; nothing was changed`, {
          hint: 'see the reasons per node above; add capacity, relax constraints, or pass --allow-partial to deploy the rest',
        });
      }
      if (!hasChanges(p)) {
        recordParams(s.appDir, s.graph.cluster, s.params);
        await settleKilledRelease(s.store, s.lock, s.state, s.graph, p, s.secrets.versions);
        say(`${s.graph.cluster}: no changes; the runtime matches the program.\n`);
        event({ type: 'result', cluster: s.graph.cluster, ok: true, changed: false, seconds: 0, urls: publishedUrls(s) });
        continue;
      }
      requireSecrets(s.secrets);
      if (!values.yes) {
        if (!ctx.stdin.isTTY) {
          throw new BerthError('cli.usage', 'refusing to deploy without confirmation: stdin is not a terminal', { hint: 'pass --yes to deploy without asking' });
        }
        const rl = createInterface({ input: ctx.stdin, output: ctx.stderr as NodeJS.WritableStream });
        const answer = await rl.question(`Deploy these changes to ${s.graph.cluster}? [y/N] `);
        rl.close();
        if (!/^y(es)?$/i.test(answer.trim())) {
          say('Nothing was changed.\n');
          return 1;
        }
      }
      // Every running step waits on the signal (health polls, sleeps): more than Node's default
      // of 10 listeners is expected, not a leak.
      setMaxListeners(Math.max(10, parallelism * 4), ctx.signal);
      const t0 = Date.now();
      if (needsBaseImage(s.graph, p, s.appDir)) {
        await prepareBaseImages(s.graph, (line) => (json ? event({ type: 'base-image', message: line.trim() }) : say(line)), ctx.signal);
      }
      const verbose = Boolean(values.verbose);
      // A terminal gets the running steps redrawn in place; a pipe or --json gets one line per event.
      const progress =
        ctx.stdout.isTTY && !json && ctx.env['TERM'] !== 'dumb'
          ? liveProgress(ctx.stdout, { color: ctx.color, verbose, columns: (ctx.stdout as { columns?: number }).columns })
          : { emit: progressPrinter(ctx.stdout, { color: ctx.color, json, verbose }), stop: () => undefined };
      const target = s.target;
      if (!target) throw new BerthError('internal', 'deploy opened its session without the target');
      const start = await beginRelease({ store: s.store, graph: s.graph, state: s.state, plan: p, appDir: s.appDir, env: ctx.env });
      let result: ExecuteResult;
      try {
        result = await target.apply({
          graph: s.graph,
          plan: p,
          store: s.store,
          lock: s.lock as NonNullable<typeof s.lock>,
          state: s.state,
          secrets: s.secrets.values,
          secretVersions: s.secrets.versions,
          appDir: s.appDir,
          parallelism,
          release: `r${start.number}`,
          record: { start },
          keepImages,
          signal: ctx.signal,
          emit: progress.emit,
        });
      } finally {
        progress.stop();
      }
      await pruneSnapshots(s.store, result.state);
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      const urls = result.ok ? publishedUrls(s) : [];
      event({
        type: 'result',
        cluster: s.graph.cluster,
        ok: result.ok,
        changed: true,
        seconds: Number(secs),
        urls,
        release: start.number,
        ...(result.canaries ? { canaries: result.canaries } : {}),
        ...(result.ok ? {} : { failed: result.failures.map((f) => f.id), skipped: result.skipped, interrupted: ctx.signal.aborted }),
      });
      if (result.ok) {
        // What the runtime now runs was made with these values: diff compares against them.
        recordParams(s.appDir, s.graph.cluster, s.params);
        say(`${s.graph.cluster}: deployed in ${secs}s as release r${start.number}.\n`);
        for (const id of result.canaries ?? []) {
          const n = result.state.resources[id]?.canary?.replicas ?? 1;
          say(`  ${id}: canary of ${n} replica${n === 1 ? '' : 's'} passed its pause and runs beside the old ones; finish with berth promote ${id} or berth abort ${id}\n`);
        }
        if (result.images && result.images.removed.length > 0) say(imagesLine(result.images));
        for (const u of urls) say(`  ${u.service}: ${u.url}\n`);
      } else {
        failed = true;
        const interrupted = ctx.signal.aborted;
        say(
          interrupted
            ? `${s.graph.cluster}: interrupted after ${secs}s; finished steps are recorded. Run berth deploy again to finish.\n`
            : `${s.graph.cluster}: ${result.failures.length} step${result.failures.length === 1 ? '' : 's'} failed, ${result.skipped.length} skipped (${secs}s). Finished steps are recorded; fix the cause and deploy again.\n`,
        );
      }
    }
    return failed ? 1 : 0;
  } finally {
    await closeSessions(sessions);
  }
}

/** A release a killed deploy left `running` is settled by a run that finds nothing to do (release.ts settleRunning). */
export async function settleKilledRelease(store: StateStore, lock: StateLock | undefined, state: State, graph: GraphJson, p: Plan, versions: Readonly<Record<string, string>>): Promise<void> {
  if (!lock || !state.releases?.some((r) => r.result === 'running')) return;
  const settled = settleRunning(state, { graphHash: p.basis.graphHash, at: new Date().toISOString(), pins: releasePins(graph, state, versions) });
  if (settled !== state) await store.write(lock, settled);
}

/** `--keep-images N`: a whole number >= 0 (default DEFAULT_KEEP_IMAGES). */
export function keepImagesOption(v: string | undefined): number {
  if (v === undefined) return DEFAULT_KEEP_IMAGES;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new BerthError('cli.usage', `--keep-images must be a whole number >= 0, got "${v}"`, { hint: `the default, ${DEFAULT_KEEP_IMAGES}, keeps the images of the last ${DEFAULT_KEEP_IMAGES} good releases` });
  return n;
}

export function imagesLine(images: NonNullable<ExecuteResult['images']>): string {
  const n = images.removed.length;
  return `  removed ${n} old image${n === 1 ? '' : 's'}; kept ${images.kept} (what runs and the releases berth rollback can go back to)\n`;
}

function savedPlan(ctx: CommandContext, file: string, s: ClusterSession): Plan {
  let saved: Plan;
  try {
    saved = JSON.parse(readFileSync(resolve(ctx.cwd, file), 'utf8')) as Plan;
  } catch (e) {
    throw new BerthError('cli.usage', `cannot read the plan ${file}`, { cause: e, hint: 'save one with berth diff --out plan.json' });
  }
  if (saved.cluster !== s.graph.cluster) {
    throw new BerthError('state.stale-plan', `the plan ${file} is for cluster "${saved.cluster}", not "${s.graph.cluster}"`);
  }
  const stale = checkPlanBasis(saved, {
    graph: s.graph,
    state: s.deployedBefore ? s.state : undefined,
    ...(s.observed ? { observed: s.observed } : {}),
    secretVersions: s.secrets.versions,
    ...(s.plan.placement ? { nodes: s.nodes } : {}),
  });
  if (stale.length > 0) {
    throw new BerthError('state.stale-plan', `the plan ${file} is stale: ${stale.map((x) => x.message).join('; ')}`, {
      hint: 'make a new plan with berth diff --out, review it, and deploy that',
    });
  }
  return saved;
}

/** Where each published Service answers: one entry per port and reachable node. */
function publishedUrls(s: ClusterSession): Array<{ service: string; url: string }> {
  return s.target ? s.target.endpoints(s.graph, s.nodes) : [];
}
