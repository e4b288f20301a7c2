import { readFileSync } from 'node:fs';

/** The installed @berth/cli's version, from its package.json: one folder up from src/ and from dist/. */
export function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
