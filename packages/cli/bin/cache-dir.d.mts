/** Where berth keeps what it caches between runs: $BERTH_CACHE_DIR, else $XDG_CACHE_HOME/berth, else ~/.cache/berth. */
export function berthCacheDir(env: Readonly<Record<string, string | undefined>>): string;
