import { MAX_SCORE, type Scorer } from './scorer.ts';

/**
 * Stay where you are: a restart elsewhere costs a cold cache and a drained connection.
 * The keep phase applies this at infinite weight (a running replica that passes every
 * filter is never moved); the scorer only ranks nodes for a replica that must move.
 */
export const stickiness: Scorer = {
  name: 'stickiness',
  score({ ordinal }, i, { current }) {
    return current !== undefined && current[ordinal] === i ? MAX_SCORE : 0;
  },
};
