import { PASS, reject, type Filter } from './filter.ts';

export const volumeLocality: Filter = {
  name: 'volume-locality',
  filter({ group }, i, { state }) {
    if (group.volumes.length === 0) return PASS;
    const bound = state.boundNode[group.index]!;
    if (bound >= 0 && bound !== i) {
      return reject('schedule.volume-elsewhere', `${state.names[i]!}: volume ${group.volumes[0]!} is on ${state.names[bound]!}`);
    }
    for (const v of group.volumes) {
      const at = state.volumeNodes.get(v);
      if (at === undefined || at.includes(i)) continue;
      const where = at.map((k) => state.names[k]).join(', ');
      return reject('schedule.volume-elsewhere', `${state.names[i]!}: volume ${v} is on ${where}`);
    }
    return PASS;
  },
};
