// Where berth keeps what it caches between runs (compiled CLI code, bundles of cluster.ts):
// $BERTH_CACHE_DIR, else $XDG_CACHE_HOME/berth, else ~/.cache/berth. Plain JS beside the entry,
// which needs it before the bundled CLI loads; the CLI's sources import it too (one rule).
import { homedir } from 'node:os';
import { join } from 'node:path';

export function berthCacheDir(env) {
  return env.BERTH_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'berth');
}
