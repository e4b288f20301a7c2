/**
 * Release records (schema.ts `ReleaseRecord`): pure helpers the executor writes them with and
 * `berth history` / `berth rollback` read them by. A deploy's record is written ahead, as
 * `running`, in the same durable state as its first step; it ends `ok`, `failed` or
 * `interrupted`. A record left `running` by a killed deploy is marked `interrupted` by the next.
 */
import type { GraphJson } from '@berth/core';
import type { Change } from '../plan/types.ts';
import type { ReleaseChange, ReleaseRecord, State, StateResource } from './schema.ts';

/** How many releases state keeps. */
export const KEEP_RELEASES = 20;

/**
 * The number of the next release. Before release records existed a deploy was labelled
 * `r<serial + 1>`; counting on from the serial keeps the labels of a cluster distinct.
 */
export function nextReleaseNumber(state: State): number {
  const last = state.releases?.[0]?.number;
  return last !== undefined ? last + 1 : state.serial + 1;
}

const ACTION_ORDER = ['create', 'replace', 'update', 'move', 'repair', 'delete'];

/** The plan's changes as a release records them (no-ops left out), and a one-line summary. */
export function summarizeChanges(changes: readonly Pick<Change, 'id' | 'kind' | 'action'>[]): { changes: ReleaseChange[]; summary: string } {
  const real = changes.filter((c) => c.action !== 'noop').map((c) => ({ id: c.id, kind: c.kind, action: c.action }));
  if (real.length === 0) return { changes: [], summary: 'no changes' };
  const byAction = new Map<string, string[]>();
  for (const c of real) byAction.set(c.action, [...(byAction.get(c.action) ?? []), c.id]);
  const parts: string[] = [];
  for (const a of [...ACTION_ORDER, ...[...byAction.keys()].filter((k) => !ACTION_ORDER.includes(k)).sort()]) {
    const ids = byAction.get(a);
    if (!ids) continue;
    const shown = ids.length > 4 ? `${ids.slice(0, 3).join(', ')} and ${ids.length - 3} more` : ids.join(', ');
    parts.push(`${a} ${shown}`);
  }
  return { changes: real, summary: parts.join('; ') };
}

/** What a release pins, read from the graph it deployed and the state after it. */
export function releasePins(graph: GraphJson, state: State, secretVersions: Readonly<Record<string, string>>): Pick<ReleaseRecord, 'images' | 'configs' | 'secrets'> {
  const images: Record<string, string> = {};
  const configs: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  for (const r of graph.resources) {
    if (r.kind === 'ImageBuild' || r.kind === 'Image') {
      const id = state.resources[r.id]?.outputs['image'];
      if (typeof id === 'string') images[r.id] = id;
    } else if (r.kind === 'Config') {
      configs[r.id] = r.props.sha256;
    } else if (r.kind === 'Secret') {
      const v = secretVersions[r.id] ?? state.resources[r.id]?.secretVersions?.[r.id];
      if (v !== undefined) secrets[r.id] = v;
    }
  }
  return { images, configs, secrets };
}

/** The head of a release, known before it runs. */
export type ReleaseStart = Omit<ReleaseRecord, 'result' | 'images' | 'configs' | 'secrets' | 'endedAt' | 'reason' | 'rolledBack' | 'rolledBackBy' | 'imagesRemoved'>;

/**
 * State with `start` as its newest release, `running`. A record an earlier deploy left
 * `running` was killed: it becomes `interrupted`. Keeps at most `keep` records.
 */
export function startRelease(state: State, start: ReleaseStart, at: string, keep = KEEP_RELEASES): State {
  const earlier = (state.releases ?? [])
    .filter((r) => r.number !== start.number)
    .map((r): ReleaseRecord => (r.result === 'running' ? { ...r, result: 'interrupted', endedAt: r.endedAt ?? at, reason: r.reason ?? `killed before it ended; r${start.number} took over` } : r));
  const record: ReleaseRecord = { ...start, result: 'running', images: {}, configs: {}, secrets: {} };
  return { ...state, releases: [record, ...earlier].slice(0, Math.max(1, keep)) };
}

export interface ReleaseEnd {
  readonly result: Exclude<ReleaseRecord['result'], 'running'>;
  readonly at: string;
  readonly reason?: string;
  readonly rolledBack?: boolean;
  /** What it ran; absent: kept as recorded. */
  readonly pins?: Pick<ReleaseRecord, 'images' | 'configs' | 'secrets'>;
}

/** State with release `number` ended. A successful rollback marks the releases it went back past. */
export function finishRelease(state: State, number: number, end: ReleaseEnd): State {
  const releases = state.releases ?? [];
  const me = releases.find((r) => r.number === number);
  if (!me) return state;
  const done: ReleaseRecord = {
    ...me,
    ...end.pins,
    result: end.result,
    endedAt: end.at,
    ...(end.reason !== undefined ? { reason: end.reason } : {}),
    ...(end.rolledBack ? { rolledBack: true } : {}),
  };
  const back = done.kind === 'rollback' && done.result === 'ok' ? done.rollbackOf : undefined;
  // A release whose canary held is promoted once a later one ends ok with no canary left held.
  const promoted = done.result === 'ok' && !Object.values(state.resources).some((r) => r.canary !== undefined);
  return {
    ...state,
    releases: releases.map((r) => {
      if (r.number === number) return done;
      if (back !== undefined && r.number > back && r.number < number && r.rolledBackBy === undefined) return { ...r, rolledBackBy: number };
      if (promoted && r.result === 'canary') return { ...r, result: 'ok', reason: `canary promoted by r${number}` };
      return r;
    }),
  };
}

/** The release that runs now: the newest one (whatever its result, it was the last to act). */
export function currentRelease(state: State | undefined): ReleaseRecord | undefined {
  return state?.releases?.[0];
}

/** Can `r` be rolled back to: it ended ok and retention kept its images. */
export function isRollbackTarget(r: ReleaseRecord): boolean {
  return r.result === 'ok' && !r.imagesRemoved;
}

/**
 * The release `berth rollback` goes to without a number: the newest good one before the one
 * that runs now that deployed another program — and that no rollback already went back past
 * (after "r15: rollback to r12", rollback again goes to r11, not to the r14 that was undone).
 * Undefined when there is none.
 */
export function previousGoodRelease(state: State | undefined): ReleaseRecord | undefined {
  const [now, ...older] = state?.releases ?? [];
  if (!now) return undefined;
  return older.find((r) => isRollbackTarget(r) && r.rolledBackBy === undefined && r.graphHash !== now.graphHash);
}

/** State with a held canary marked on Deployment `id` (its record, the spec that serves, unchanged). */
export function markCanary(state: State, id: string, mark: NonNullable<StateResource['canary']>): State {
  const r = state.resources[id];
  if (!r) return state;
  return { ...state, resources: { ...state.resources, [id]: { ...r, canary: mark } } };
}

/** State with Deployment `id`'s canary mark gone (aborted). */
export function clearCanary(state: State, id: string): State {
  const r = state.resources[id];
  if (!r?.canary) return state;
  const { canary: _gone, ...rest } = r;
  return { ...state, resources: { ...state.resources, [id]: rest } };
}

/** State after `berth abort`: the canary mark gone, and the release that held it failed (rolled back). */
export function abortCanaryState(state: State, id: string, at: string): State {
  const mark = state.resources[id]?.canary;
  if (!mark) return state;
  const s = clearCanary(state, id);
  const held = (r: ReleaseRecord): boolean => `r${r.number}` === mark.release && r.result === 'canary';
  return { ...s, releases: s.releases?.map((r) => (held(r) ? { ...r, result: 'failed', rolledBack: true, endedAt: at, reason: `canary of ${id} aborted by berth abort` } : r)) };
}

/** State after retention removed these image ids: releases that pinned one are no longer rollback targets. */
export function markImagesRemoved(state: State, removed: ReadonlySet<string>): State {
  if (removed.size === 0 || !state.releases) return state;
  return { ...state, releases: state.releases.map((r) => (!r.imagesRemoved && Object.values(r.images).some((id) => removed.has(id)) ? { ...r, imagesRemoved: true } : r)) };
}

/** Why a rollback cannot go back to a release as it was. */
export interface RollbackProblem {
  readonly id: string;
  readonly message: string;
  readonly hint: string;
}

/**
 * What stops a rollback to `release`: a Secret whose value (re-read from its source now) is not
 * the one the release ran — berth never keeps secret values, so the old one cannot be had —
 * and an image the release pinned that is no longer on the engine. Empty: it can go back.
 */
export function rollbackProblems(
  release: ReleaseRecord,
  now: { readonly secretVersions: Readonly<Record<string, string>>; readonly unreadableSecrets: readonly string[]; readonly missingImages: readonly string[] },
): RollbackProblem[] {
  const out: RollbackProblem[] = [];
  for (const [id, version] of Object.entries(release.secrets).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (now.unreadableSecrets.includes(id)) {
      out.push({ id, message: `Secret ${id}: its value cannot be read from its source now, so r${release.number}'s value cannot be checked or used`, hint: 'provide the value (its environment variable or file) as it was at that release' });
    } else if (now.secretVersions[id] !== version) {
      out.push({ id, message: `Secret ${id}: its value changed since r${release.number}, and berth never keeps secret values, so the old one cannot be had`, hint: `put the value r${release.number} ran with back in its source (environment variable or file) and run rollback again` });
    }
  }
  for (const [id, image] of Object.entries(release.images).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (now.missingImages.includes(image)) {
      out.push({ id, message: `image ${image.replace(/^sha256:/, '').slice(0, 12)} of ${id}, which r${release.number} ran, is no longer on the engine`, hint: 'it was removed (by image retention or by hand); a rollback never rebuilds. Deploy that program again instead' });
    }
  }
  return out;
}

/**
 * A run that found nothing to do settles a record a killed run left `running`: when the killed
 * run deployed this same program (`graphHash`) and nothing is left to do, every step of it
 * finished — only its end was not written — so it ended ok; otherwise it was interrupted.
 * Returns `state` itself when no record is running.
 */
export function settleRunning(state: State, now: { readonly graphHash: string; readonly at: string; readonly pins: Pick<ReleaseRecord, 'images' | 'configs' | 'secrets'> }): State {
  const running = state.releases?.find((r) => r.result === 'running');
  if (!running) return state;
  if (running.graphHash === now.graphHash) return finishRelease(state, running.number, { result: 'ok', at: now.at, reason: 'killed after its last step; ended by the next run', pins: now.pins });
  return finishRelease(state, running.number, { result: 'interrupted', at: now.at, reason: 'killed before it ended' });
}
