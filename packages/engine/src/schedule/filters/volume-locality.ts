import { PASS, reject, type Filter } from './filter.ts';

export const volumeLocality: Filter = {
  name: 'volume-locality',
  filter({ group }, i, { state }) {
    for (const v of group.volumes) {
      const at = state.volumeNodes.get(v);
      if (at === undefined || at.includes(i)) continue;
      const where = at.map((k) => state.names[k]).join(', ');
      return reject('schedule.volume-elsewhere', `${state.names[i]!}: volume ${v} is on ${where}`);
    }
    return PASS;
  },
};
