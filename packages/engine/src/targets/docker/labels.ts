/**
 * The labels berth puts on every object it creates. Labels, not the state file, decide ownership
 * (DESIGN.md "On a Docker host"), so a crashed deploy leaves nothing that cannot be found again.
 */

export const LABEL_CLUSTER = 'berth.cluster';
export const LABEL_RESOURCE = 'berth.resource';
/** Hash of the resolved spec a container was created from; the planner compares it to detect drift. */
export const LABEL_SPEC = 'berth.spec';
export const LABEL_RELEASE = 'berth.release';
export const LABEL_ORDINAL = 'berth.ordinal';
/** What berth made the object for: 'replica', 'proxy', 'job', 'image'... (free-form, for humans and filters). */
export const LABEL_COMPONENT = 'berth.component';

export type Labels = Readonly<Record<string, string>>;

/**
 * The `filters` query value of the list endpoints: JSON `{"label":["k=v",...]}` (all must match).
 * A label given with an empty value matches on presence only (`"k"`), as the engine does.
 */
export function labelFilter(labels: Labels): string {
  const label = Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => (v === '' ? k : `${k}=${v}`));
  return JSON.stringify({ label });
}

/** The labels that mark an object as owned by a cluster. */
export function clusterLabels(cluster: string): Labels {
  return { [LABEL_CLUSTER]: cluster };
}
