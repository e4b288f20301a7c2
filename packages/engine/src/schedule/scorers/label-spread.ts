import { MAX_SCORE, type Scorer } from './scorer.ts';

/** Prefer the domain with the fewest replicas of the group; 100 in the emptiest domain. */
export const labelSpreadScore: Scorer = {
  name: 'label-spread',
  score({ group }, i, { state, domains }) {
    const label = group.spreadLabel;
    if (label === undefined || domains === undefined) return MAX_SCORE;
    const value = state.nodes[i]!.labels[label];
    const above = (value === undefined ? 0 : (domains.byValue.get(value) ?? 0)) - domains.min;
    return Math.max(0, MAX_SCORE - Math.floor((MAX_SCORE * above) / (group.maxSkew + 1)));
  },
};
