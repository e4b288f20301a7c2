/**
 * The state file: what berth last deployed for one cluster. It is the planner's "before"
 * and the executor's journal. Validated with zod on every read, because a hand-edited or
 * half-written file must be refused rather than planned against.
 */
import { z } from 'zod';

/**
 * Bumped on any change an older berth could not read correctly; a newer file is refused.
 * 2: journal entries say what a step creates (`kind`, `specHash`, `creates`), and state may
 * hold the drained set. A version-1 file (neither was ever written then) is read as it is and
 * written back as version 2.
 * 3: state may hold release records (`releases`, see release.ts). Versions 1 and 2 hold none and
 * are read as they are.
 */
export const STATE_VERSION = 3;
/** The versions this berth reads. */
export const READABLE_STATE_VERSIONS: readonly number[] = [1, 2, 3];

/** Where one replica of a Deployment runs. */
export const StatePlacement = z.strictObject({ ordinal: z.number().int().min(0), node: z.string() });
export type StatePlacement = z.infer<typeof StatePlacement>;

/**
 * A JSON object whose content the store does not interpret (props, outputs). Checked as an
 * object only: validating every nested key of 2,000 resources' props cost more than the rest
 * of a no-op diff, and the planner compares props structurally anyway.
 */
const opaqueObject = z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { message: 'expected an object' });

/** One deployed resource. */
export const StateResource = z.strictObject({
  kind: z.string(),
  /** The construct path when it was deployed (`shop/api`). */
  path: z.string(),
  /** The spec hash the planner computed for it (also the `berth.spec` label on runtime objects). */
  specHash: z.string(),
  /**
   * A Deployment's replica hash (spec-hash.ts): the `berth.spec` label of its containers, which
   * scaling does not change. Absent in state written before it existed: then it is `specHash`.
   */
  replicaHash: z.string().optional(),
  /** The resolved graph props as deployed. Secrets are only `$ref`s in the graph, so this holds no secret. */
  props: opaqueObject,
  /**
   * What it consumed, as non-secret tokens: `"api-image.image" → "build:<contentHash>"`,
   * `"nginx.data" → "sha256:…"`. Kept so a later plan can say *why* a consumer rolls.
   */
  inputs: z.record(z.string(), z.string()).optional(),
  /** Ids of the resources it needed first; deletes run in the reverse of this order. */
  dependsOn: z.array(z.string()).default([]),
  /** What the runtime reported: image ids, container ids, volume names… */
  outputs: opaqueObject.default({}),
  /** Where each replica was placed. */
  placements: z.array(StatePlacement).optional(),
  /**
   * Versions of the secrets it consumed (or, for a Secret, of itself): HMAC-SHA256 of the value
   * keyed by the store's secret key, which is never in the state file (docs/adr/0010).
   */
  secretVersions: z.record(z.string(), z.string()).optional(),
  /**
   * A `manual` canary of a new spec that runs beside this (still recorded) one and waits for
   * `berth promote` (roll the rest) or `berth abort` (remove it). Absent when none.
   */
  canary: z
    .strictObject({
      /** The canary containers' `berth.spec` label. */
      replicaHash: z.string(),
      /** The spec the canary runs (what this record becomes on promote). */
      specHash: z.string(),
      replicas: z.number().int().min(1),
      /** ISO time it passed its pause. */
      since: z.string(),
      /** The release that started it (`r12`). */
      release: z.string(),
    })
    .optional(),
});
/** One resource as stored (defaults filled in). */
export type StateResource = z.output<typeof StateResource>;

export const JOURNAL_STATUSES = ['started', 'done', 'failed'] as const;
export type JournalStatus = (typeof JOURNAL_STATUSES)[number];

/**
 * One effectful step of a deploy, written ahead: `started` is durable before the step touches
 * the runtime; after it, `failed`, or done — which the executor writes by closing the entry in
 * the same write as the step's record (a `done` entry, were one stored, counts as closed too).
 * A `started` entry is a step in flight or one a crash cut short; the next deploy finishes or
 * undoes it (execute/journal.ts). One entry per step: a later status replaces the earlier one.
 */
export const JournalEntry = z.strictObject({
  /** The resource id the step acted on. */
  id: z.string(),
  action: z.string(),
  status: z.enum(JOURNAL_STATUSES),
  /** ISO time the entry was written (the executor's clock, never the planner's). */
  at: z.string(),
  /** The resource kind (how a rerun finds and undoes what the step made). */
  kind: z.string().optional(),
  /** The `berth.spec` label the step's runtime objects carry (a Deployment's replica hash). */
  specHash: z.string().optional(),
  /** What the step creates, by logical name: `replica api#0`, `job migrate#0`, `volume orders`. */
  creates: z.array(z.string()).optional(),
  /** Why it failed, or how a rerun resolved it. */
  message: z.string().optional(),
});
export type JournalEntry = z.infer<typeof JournalEntry>;

/** The journal of the deploy in progress, or of the last one (its entries then all ended). */
export const StateJournal = z.strictObject({
  /** The graph hash of the plan being carried out. */
  planGraphHash: z.string().optional(),
  /** The release (`r12`) the deploy labels its objects with. */
  release: z.string().optional(),
  startedAt: z.string(),
  entries: z.array(JournalEntry),
});
export type StateJournal = z.infer<typeof StateJournal>;

export const RELEASE_KINDS = ['deploy', 'rollback'] as const;
export type ReleaseKind = (typeof RELEASE_KINDS)[number];
/**
 * - running: the deploy is under way, or was killed (the next deploy marks it `interrupted`).
 * - ok: every step finished.
 * - failed: a step failed (`reason`); `rolledBack` when its rollout put the old replicas back.
 * - interrupted: cut short (Ctrl-C, kill); a later deploy finished what it left.
 * - canary: every step finished but a `manual` canary holds (berth promote / berth abort).
 */
export const RELEASE_RESULTS = ['running', 'ok', 'failed', 'interrupted', 'canary'] as const;
export type ReleaseResult = (typeof RELEASE_RESULTS)[number];

/** One changed resource of a release, as the plan said. */
export const ReleaseChange = z.strictObject({ id: z.string(), kind: z.string(), action: z.string() });
export type ReleaseChange = z.infer<typeof ReleaseChange>;

/**
 * One deploy or rollback: what `berth history` lists and `berth rollback` goes back to. Never a
 * secret value: Secrets appear as their HMAC versions only. The program as deployed (the graph,
 * with Config contents) is kept beside state under `graphHash` (the store's snapshots), so a
 * rollback needs neither the old program nor a rebuild: `images` pins every image by id.
 */
export const ReleaseRecord = z.strictObject({
  /** `r<number>` is the `berth.release` label of what it created. */
  number: z.number().int().min(1),
  /** ISO time it started. */
  at: z.string(),
  /** ISO time it ended (absent while running). */
  endedAt: z.string().optional(),
  /** `user@host` it ran from. */
  by: z.string(),
  /** `git describe --always --dirty` of the program's folder, when it is in git. */
  git: z.string().optional(),
  kind: z.enum(RELEASE_KINDS),
  /** For a rollback: the release it went back to. */
  rollbackOf: z.number().int().min(1).optional(),
  /** sha256 of the graph it deployed: the key of its snapshot. */
  graphHash: z.string(),
  /** One line: `replace site, update site-image`. */
  summary: z.string(),
  changes: z.array(ReleaseChange),
  /** Image id (`sha256:…`) per ImageBuild and Image id, as it ran after this release. */
  images: z.record(z.string(), z.string()),
  /** Content hash per Config id. */
  configs: z.record(z.string(), z.string()),
  /** HMAC version per Secret id (never a value). */
  secrets: z.record(z.string(), z.string()),
  result: z.enum(RELEASE_RESULTS),
  /** Why it failed or was interrupted. */
  reason: z.string().optional(),
  /** A failed rollout put the previous replicas back. */
  rolledBack: z.boolean().optional(),
  /** A later rollback went back past it: the release that did. */
  rolledBackBy: z.number().int().min(1).optional(),
  /** Image retention removed at least one of its images: it can no longer be rolled back to. */
  imagesRemoved: z.boolean().optional(),
});
export type ReleaseRecord = z.infer<typeof ReleaseRecord>;
const ReleaseRecords = z.array(ReleaseRecord);

export const StateJson = z.strictObject({
  stateVersion: z.union([z.literal(1), z.literal(2), z.literal(STATE_VERSION)]),
  /** A uuid made once when the cluster's state is first created; never changes afterwards. */
  lineage: z.string().min(1),
  /** Incremented by every write; a saved plan records it and is refused when it moved on. */
  serial: z.number().int().min(0),
  cluster: z.string(),
  resources: z.record(z.string(), StateResource),
  /**
   * Drained node names (`berth drain`), sorted: the scheduler places nothing new there and the
   * next deploy moves their replicas away. Absent when no node is drained.
   */
  drained: z.array(z.string()).optional(),
  /** The steps of the deploy in progress (or of the last one). */
  journal: StateJournal.optional(),
  /** The last releases, newest first (bounded: release.ts keeps KEEP_RELEASES). */
  releases: ReleaseRecords.optional(),
});
/** The state as stored (defaults filled in). */
export type State = z.output<typeof StateJson>;

const RESOURCE_KEYS = new Set(['kind', 'path', 'specHash', 'replicaHash', 'props', 'inputs', 'dependsOn', 'outputs', 'placements', 'secretVersions', 'canary']);
const CanaryMark = StateResource.shape.canary;
const STATE_KEYS = new Set(['stateVersion', 'lineage', 'serial', 'cluster', 'resources', 'drained', 'journal', 'releases']);
const JOURNAL_KEYS = new Set(['planGraphHash', 'release', 'startedAt', 'entries']);
const ENTRY_KEYS = new Set(['id', 'action', 'status', 'at', 'kind', 'specHash', 'creates', 'message']);
const STATUSES: ReadonlySet<unknown> = new Set(JOURNAL_STATUSES);
const PLACEMENT_KEYS = new Set(['ordinal', 'node']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function onlyKeys(o: Record<string, unknown>, allowed: ReadonlySet<string>): boolean {
  for (const k in o) if (!allowed.has(k)) return false;
  return true;
}
function stringRecord(v: unknown): boolean {
  if (v === undefined) return true;
  if (!isObject(v)) return false;
  for (const k in v) if (typeof v[k] !== 'string') return false;
  return true;
}
/** An indexed loop, not `every`: `every` skips the holes of a sparse array, zod does not. */
function stringArray(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return false;
  return true;
}
function natural(v: unknown): boolean {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
const optString = (v: unknown): boolean => v === undefined || typeof v === 'string';

/** The journal as `StateJournal` would accept it (it has no defaults to fill in). */
function journalOk(j: unknown): boolean {
  if (j === undefined) return true;
  if (!isObject(j) || !onlyKeys(j, JOURNAL_KEYS)) return false;
  if (typeof j.startedAt !== 'string' || !optString(j.planGraphHash) || !optString(j.release) || !Array.isArray(j.entries)) return false;
  const es = j.entries as unknown[];
  for (let i = 0; i < es.length; i++) {
    const e = es[i];
    if (!isObject(e) || !onlyKeys(e, ENTRY_KEYS)) return false;
    if (typeof e.id !== 'string' || typeof e.action !== 'string' || !STATUSES.has(e.status) || typeof e.at !== 'string') return false;
    if (!optString(e.kind) || !optString(e.specHash) || !optString(e.message)) return false;
    if (e.creates !== undefined && !stringArray(e.creates)) return false;
  }
  return true;
}

/**
 * A state as `StateJson` would parse it, or undefined when this quick check cannot vouch for
 * it (then the caller runs zod, for the verdict and a precise message). The check is never
 * looser than the schema — a property test holds the two together — but it is ten times
 * faster on the thousands of resources a no-op `berth diff` reads, where zod's per-key
 * checking was the largest part of reading state. Fills in defaults on `raw` itself.
 */
export function parseStateQuick(raw: unknown): State | undefined {
  if (!isObject(raw) || !onlyKeys(raw, STATE_KEYS) || !journalOk(raw.journal)) return undefined;
  if (!READABLE_STATE_VERSIONS.includes(raw.stateVersion as number) || typeof raw.lineage !== 'string' || raw.lineage.length < 1) return undefined;
  if (!natural(raw.serial) || typeof raw.cluster !== 'string' || !isObject(raw.resources)) return undefined;
  if (raw.drained !== undefined && !stringArray(raw.drained)) return undefined;
  // At most a few dozen small records: zod itself is cheap here and keeps the check exact.
  if (raw.releases !== undefined && !ReleaseRecords.safeParse(raw.releases).success) return undefined;
  const resources = raw.resources;
  for (const id in resources) {
    const r = resources[id];
    if (!isObject(r) || !onlyKeys(r, RESOURCE_KEYS)) return undefined;
    if (typeof r.kind !== 'string' || typeof r.path !== 'string' || typeof r.specHash !== 'string' || !isObject(r.props)) return undefined;
    if (r.replicaHash !== undefined && typeof r.replicaHash !== 'string') return undefined;
    if (r.canary !== undefined && !CanaryMark.safeParse(r.canary).success) return undefined;
    if (!stringRecord(r.inputs) || !stringRecord(r.secretVersions)) return undefined;
    if (r.outputs !== undefined && !isObject(r.outputs)) return undefined;
    if (r.dependsOn !== undefined && !stringArray(r.dependsOn)) return undefined;
    if (r.placements !== undefined) {
      if (!Array.isArray(r.placements)) return undefined;
      const ps = r.placements as unknown[];
      for (let i = 0; i < ps.length; i++) {
        const p = ps[i];
        if (!isObject(p) || !onlyKeys(p, PLACEMENT_KEYS) || !natural(p.ordinal) || typeof p.node !== 'string') return undefined;
      }
    }
  }
  // Defaults, as zod fills them.
  for (const id in resources) {
    const r = resources[id] as Record<string, unknown>;
    if (r.dependsOn === undefined) r.dependsOn = [];
    if (r.outputs === undefined) r.outputs = {};
  }
  return raw as unknown as State;
}
