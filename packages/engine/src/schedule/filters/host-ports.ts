import { PASS, reject, type Filter } from './filter.ts';

export const hostPorts: Filter = {
  name: 'host-ports',
  filter({ group }, i, { state }) {
    const used = state.ports[i];
    if (used === undefined) return PASS;
    for (const p of group.ports) {
      if (used.has(p)) return reject('schedule.host-port-in-use', `${state.names[i]!}: host port ${p} in use`);
    }
    return PASS;
  },
};
