import { PASS, reject, type Filter } from './filter.ts';

export const nodeLabels: Filter = {
  name: 'node-labels',
  filter({ group }, i, { state }) {
    const node = state.nodes[i]!;
    for (const [label, value] of group.constraints) {
      const has = node.labels[label];
      if (has === value) continue;
      const text = has === undefined ? '' : ` (has ${label}=${has})`;
      return reject('schedule.label-mismatch', `${node.name}: lacks label ${label}=${value}${text}`);
    }
    return PASS;
  },
};
