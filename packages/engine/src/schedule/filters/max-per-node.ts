import { PASS, reject, type Filter } from './filter.ts';

export const maxPerNode: Filter = {
  name: 'max-per-node',
  filter({ group }, i, { state }) {
    if (state.counts[i]! < group.maxPerNode) return PASS;
    return reject('schedule.max-per-node', `${state.names[i]!}: max ${group.maxPerNode} per node reached`);
  },
};
