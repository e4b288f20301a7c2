import { PASS, reject, type Filter } from './filter.ts';

/**
 * The hard spread rule (Kubernetes' topologySpreadConstraints with DoNotSchedule): a replica
 * may not land in a domain that would then exceed the emptiest eligible domain by more
 * than maxSkew.
 */
export const maxSkew: Filter = {
  name: 'label-spread',
  filter({ group }, i, { state, domains }) {
    const label = group.spreadLabel;
    if (label === undefined || domains === undefined) return PASS;
    const value = state.nodes[i]!.labels[label];
    if (value === undefined) return PASS;
    const after = (domains.byValue.get(value) ?? 0) + 1;
    if (after - domains.min <= group.maxSkew) return PASS;
    return reject(
      'schedule.max-skew',
      `${state.names[i]!}: ${label}=${value} would have ${after} replicas, ` +
        `${label}=${domains.minValue} has ${domains.min} (max skew ${group.maxSkew})`,
    );
  },
};
