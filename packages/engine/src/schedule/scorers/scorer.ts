import type { FilterContext, Replica } from '../filters/filter.ts';

export const SCORER_NAMES = ['least-allocated', 'most-allocated', 'label-spread', 'stickiness'] as const;
export type ScorerName = (typeof SCORER_NAMES)[number];

/** Integer scores, as Kubernetes' MaxNodeScore: equal scores tie, and ties go to the stable order. */
export const MAX_SCORE = 100;

export interface Scorer {
  readonly name: ScorerName;
  /** 0..MAX_SCORE; higher is better. Only nodes that passed every filter are scored. */
  score(replica: Replica, node: number, ctx: FilterContext): number;
}

export const clampScore = (x: number): number => (x <= 0 ? 0 : x >= MAX_SCORE ? MAX_SCORE : Math.floor(x));
