import { PASS, reject, type Filter } from './filter.ts';

export const nodeReachable: Filter = {
  name: 'node-reachable',
  filter(_replica, i, { state }) {
    const node = state.nodes[i]!;
    return node.reachable ? PASS : reject('schedule.unreachable', `${node.name}: unreachable`);
  },
};
