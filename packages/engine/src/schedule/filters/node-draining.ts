import { PASS, reject, type Filter } from './filter.ts';

export const nodeDraining: Filter = {
  name: 'node-draining',
  filter(_replica, i, { state }) {
    const node = state.nodes[i]!;
    return node.draining ? reject('schedule.draining', `${node.name}: draining`) : PASS;
  },
};
