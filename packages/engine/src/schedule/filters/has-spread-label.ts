import { PASS, reject, type Filter } from './filter.ts';

/** A node without the spread label belongs to no domain, so the skew rule cannot count it. */
export const hasSpreadLabel: Filter = {
  name: 'spread-label',
  filter({ group }, i, { state }) {
    const label = group.spreadLabel;
    if (label === undefined) return PASS;
    const node = state.nodes[i]!;
    return node.labels[label] === undefined
      ? reject('schedule.spread-label-missing', `${node.name}: lacks label ${label} to spread by`)
      : PASS;
  },
};
