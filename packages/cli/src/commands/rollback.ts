/**
 * `berth rollback [RELEASE]`: go back to what a recorded release ran, from state alone — the
 * release's kept program (graph snapshot), its images pinned by id (never rebuilt), its Config
 * contents; Secrets are re-read from their sources and must still hold the release's values.
 * The diff from now to that release is shown first, then applied by the same planner and
 * executor as a deploy (health-gated rollouts). A rollback is itself a new release.
 */
import { setMaxListeners } from 'node:events';
import { createInterface } from 'node:readline/promises';
import { BerthError, GraphJson } from '@berth/core';
import { currentRelease, plan, previousGoodRelease, rollbackProblems, type ExecuteResult, type ReleaseRecord, type State, type StateLock } from '@berth/engine';
import { APP_OPTIONS, parse } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { readSecrets } from '../load/secrets.ts';
import { beginRelease, pruneSnapshots } from '../release.ts';
import { liveProgress } from '../render/live.ts';
import { progressPrinter } from '../render/progress.ts';
import { renderPlan } from '../render/plan.ts';
import { hasChanges } from '../session.ts';
import { openStateDir } from '../state-dir.ts';
import { targetFor } from '../target.ts';
import { imagesLine, keepImagesOption, settleKilledRelease } from './deploy.ts';

export const ROLLBACK_HELP = `berth rollback [RELEASE] [--app cluster.ts] [--cluster NAME] [--yes] [--json]

Goes back to what release RELEASE (r12 or 12; default: the previous good release) ran: shows the
diff from what runs now to that release, then applies it like a deploy — health-gated rollouts,
the old images pinned by id (nothing is rebuilt), Configs as recorded. Secrets are read from
their sources again; a Secret whose value changed since that release is refused (berth never
keeps secret values), and so is a release whose images are gone. The rollback is recorded as a
new release (berth history). It needs only the .berth folder, not the old program.

  --yes               do not ask (required when stdin is not a terminal)
  --cluster NAME      the cluster (required when .berth holds several)
  --keep-images N     image retention afterwards, as for deploy (default 3)
  --parallelism N     at most N steps at once (default 64)
  --force-unlock      remove a stale lock left by a crashed berth first
  --json              print JSON lines: the plan, step events and a result
`;

/** `r12` or `12` → 12. */
function releaseNumber(arg: string): number {
  const m = /^r?(\d+)$/.exec(arg.trim());
  if (!m) throw new BerthError('cli.usage', `"${arg}" is not a release number`, { hint: 'give it as berth history lists it, e.g. r12' });
  return Number(m[1]);
}

/** The release to go back to, or a clear refusal. */
export function chooseRelease(state: State, arg: string | undefined): ReleaseRecord {
  const releases = state.releases ?? [];
  if (releases.length === 0) {
    throw new BerthError('rollback.no-release', `cluster "${state.cluster}" has no recorded releases`, { hint: 'releases are recorded by berth deploy from this version on; deploy once, then rollback can go back to it' });
  }
  const listed = releases.map((r) => `r${r.number}`).join(', ');
  if (arg === undefined) {
    const prev = previousGoodRelease(state);
    if (!prev) {
      throw new BerthError('rollback.no-release', `cluster "${state.cluster}" has no earlier good release to go back to (releases: ${listed})`, { hint: 'see berth history; give a release number to go to a particular one' });
    }
    return prev;
  }
  const n = releaseNumber(arg);
  const r = releases.find((x) => x.number === n);
  if (!r) throw new BerthError('rollback.no-release', `release r${n} is not in the history of "${state.cluster}" (kept: ${listed})`, { hint: 'see berth history' });
  if (r.result !== 'ok') {
    throw new BerthError('rollback.refused', `release r${n} did not end ok (${r.result}${r.reason ? `: ${r.reason}` : ''}); berth rolls back only to a release that ran`, { hint: 'pick a release marked ok in berth history' });
  }
  if (r.imagesRemoved) {
    throw new BerthError('rollback.refused', `release r${n}'s images were removed by image retention; a rollback never rebuilds`, { hint: 'deploy with a larger --keep-images to keep more rollback targets; to run that program again, check it out and deploy it' });
  }
  return r;
}

export async function rollbackCommand(ctx: CommandContext): Promise<number> {
  const { values, positionals } = parse(
    'rollback',
    ctx.args,
    {
      ...APP_OPTIONS,
      yes: { type: 'boolean', short: 'y' },
      cluster: { type: 'string' },
      parallelism: { type: 'string' },
      'keep-images': { type: 'string' },
      'force-unlock': { type: 'boolean' },
    },
    true,
  );
  if (values.help) {
    ctx.stdout.write(ROLLBACK_HELP);
    return 0;
  }
  if (positionals.length > 1) throw new BerthError('cli.usage', `berth rollback takes one release, got ${positionals.join(' ')}`, { hint: 'berth rollback r12' });
  const parallelism = values.parallelism === undefined ? 64 : Number(values.parallelism);
  if (!Number.isInteger(parallelism) || parallelism < 1) throw new BerthError('cli.usage', `--parallelism must be a whole number >= 1, got "${values.parallelism}"`);
  const keepImages = keepImagesOption(values['keep-images']);
  const json = Boolean(values.json);
  const say = (s: string): void => {
    if (!json) ctx.stdout.write(s);
  };
  const event = (e: Record<string, unknown>): void => {
    if (json) ctx.stdout.write(`${JSON.stringify(e)}\n`);
  };
  const dir = await openStateDir(ctx.cwd, values.app, values.cluster);
  const cluster = dir.clusters[0];
  if (dir.clusters.length !== 1 || cluster === undefined) {
    throw new BerthError('cli.usage', `${dir.store.location} holds several clusters (${dir.clusters.join(', ')})`, { hint: 'pass --cluster NAME' });
  }
  const store = dir.store;
  if (values['force-unlock']) await store.forceUnlock(cluster);
  const lock: StateLock = await store.lock(cluster, 'rollback');
  try {
    const state = await store.read(cluster);
    if (!state) throw new BerthError('rollback.no-release', `cluster "${cluster}" has no state`);
    const release = chooseRelease(state, positionals[0]);
    const text = await store.readSnapshot(cluster, release.graphHash);
    if (text === undefined) {
      throw new BerthError('rollback.refused', `the program r${release.number} deployed is not kept in ${store.location} any more`, { hint: 'it was removed by hand; deploy that program from its source instead' });
    }
    const raw: unknown = JSON.parse(text);
    const parsed = GraphJson.safeParse(raw);
    if (!parsed.success) throw new BerthError('state.corrupt', `the kept program of r${release.number} is not a valid graph`, { cause: parsed.error });
    // The graph exactly as it was deployed (zod's copy may order keys differently): its hash is the release's.
    const graph = raw as GraphJson;
    // Release records keep versions under the store's secret key, as deploy does (docs/adr/0010).
    const key = graph.resources.some((r) => r.kind === 'Secret') ? await store.secretKey(cluster) : '';
    const secrets = readSecrets(graph, dir.appDir, ctx.env, key);
    const target = await targetFor(graph);
    try {
      const missingImages = target.missingImages ? await target.missingImages([...new Set(Object.values(release.images))]) : [];
      const problems = rollbackProblems(release, { secretVersions: secrets.versions, unreadableSecrets: secrets.missing.map((m) => m.id), missingImages });
      const seen = await target.observe(ctx.signal);
      const p = plan({
        graph,
        state,
        observed: seen.observed,
        secretVersions: secrets.versions,
        ...(seen.nodes ? { nodes: seen.nodes, ...(state.drained ? { drained: state.drained } : {}) } : {}),
        options: { allowDeleteVolumes: [], allowPreemption: false },
      });
      const now = currentRelease(state);
      say(`Rollback of ${cluster} from r${now?.number ?? '?'} to r${release.number} (${release.at.replace(/\.\d+Z$/, 'Z')}, ${release.by}${release.git ? `, git ${release.git}` : ''}: ${release.summary})\n`);
      say(renderPlan(p, { color: ctx.color }));
      const pinned = Object.entries(release.images).map(([id, img]) => `${id} ${img.replace(/^sha256:/, '').slice(0, 12)}`);
      // The plan's reasons speak of the program ("rebuilt"); what runs is r<N>'s images, by id.
      if (pinned.length > 0) say(`Images pinned to r${release.number}'s: ${pinned.join(', ')}; nothing is rebuilt.\n`);
      event({ type: 'plan', cluster, rollbackTo: release.number, summary: p.summary, problems, changes: p.changes.filter((c) => c.action !== 'noop').map((c) => ({ id: c.id, kind: c.kind, action: c.action })) });
      if (problems.length > 0) {
        say(`\nCannot roll back to r${release.number}:\n${problems.map((x) => `  ✗ ${x.message}\n    hint: ${x.hint}`).join('\n')}\n`);
        throw new BerthError('rollback.refused', `cannot roll back to r${release.number}: ${problems.map((x) => x.message).join('; ')}`, { hint: problems[0]?.hint ?? 'see above' });
      }
      const blocked = p.issues.filter((i) => i.severity === 'error');
      if (blocked.length > 0) throw new BerthError('plan.protected', blocked.map((i) => i.message).join('\n'), { hint: blocked[0]?.hint ?? 'see the plan above' });
      if (p.placement?.incomplete) throw new BerthError('plan.unplaceable', 'some replicas of that release cannot be placed on any node; nothing was changed', { hint: 'see berth diff for the reasons per node' });
      if (!hasChanges(p)) {
        await settleKilledRelease(store, lock, state, graph, p, secrets.versions);
        say(`${cluster}: no changes; what runs is already r${release.number}'s program.\n`);
        event({ type: 'result', cluster, ok: true, changed: false });
        return 0;
      }
      if (!values.yes) {
        if (!ctx.stdin.isTTY) throw new BerthError('cli.usage', 'refusing to roll back without confirmation: stdin is not a terminal', { hint: 'pass --yes to roll back without asking' });
        const rl = createInterface({ input: ctx.stdin, output: ctx.stderr as NodeJS.WritableStream });
        const answer = await rl.question(`Roll ${cluster} back to r${release.number}? [y/N] `);
        rl.close();
        if (!/^y(es)?$/i.test(answer.trim())) {
          say('Nothing was changed.\n');
          return 1;
        }
      }
      setMaxListeners(Math.max(10, parallelism * 4), ctx.signal);
      const t0 = Date.now();
      const start = await beginRelease({ store, graph, state, plan: p, appDir: dir.appDir, env: ctx.env, rollbackOf: { number: release.number, git: release.git } });
      const progress =
        ctx.stdout.isTTY && !json && ctx.env['TERM'] !== 'dumb'
          ? liveProgress(ctx.stdout, { color: ctx.color, verbose: false, columns: (ctx.stdout as { columns?: number }).columns })
          : { emit: progressPrinter(ctx.stdout, { color: ctx.color, json, verbose: false }), stop: () => undefined };
      let result: ExecuteResult;
      try {
        result = await target.apply({
          graph,
          plan: p,
          store,
          lock,
          state,
          secrets: secrets.values,
          secretVersions: secrets.versions,
          appDir: dir.appDir,
          parallelism,
          release: `r${start.number}`,
          record: { start },
          pinnedImages: release.images,
          keepImages,
          signal: ctx.signal,
          emit: progress.emit,
        });
      } finally {
        progress.stop();
      }
      await pruneSnapshots(store, result.state);
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      event({ type: 'result', cluster, ok: result.ok, changed: true, seconds: Number(secs), release: start.number, rollbackTo: release.number });
      if (result.ok) {
        say(`${cluster}: rolled back to r${release.number} in ${secs}s as release r${start.number}.\n`);
        if (result.images && result.images.removed.length > 0) say(imagesLine(result.images));
        return 0;
      }
      say(`${cluster}: the rollback to r${release.number} failed (${result.failures.length} step${result.failures.length === 1 ? '' : 's'}, ${secs}s); finished steps are recorded as r${start.number}. Fix the cause and run it again.\n`);
      return 1;
    } finally {
      await target.close();
    }
  } finally {
    await store.unlock(lock).catch(() => undefined);
  }
}
