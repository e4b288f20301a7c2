/**
 * Test-only crash points (test/e2e/journal-crash.docker.test.ts). Read from the environment
 * once per deploy; without these variables nothing happens.
 *
 *   BERTH_TEST_CRASH_AFTER_JOURNAL_ENTRY=N  SIGKILL this process right after the state write
 *                                           that makes the deploy's Nth journal entry durable,
 *                                           before any step waiting on that write goes on
 *   BERTH_TEST_JOURNAL_TRACE=FILE           append one JSON line per durable write that added
 *                                           journal entries: how many so far, and each step's status
 *
 * A kill from outside (a signal after some output line) lands somewhere between two points;
 * this lands exactly on one, so a test can visit every point of a deploy in turn.
 */
import { appendFileSync } from 'node:fs';
import type { State } from '../state/schema.ts';

export function crashPointFromEnv(env: NodeJS.ProcessEnv = process.env): ((entries: number, written: State) => void) | undefined {
  const at = env['BERTH_TEST_CRASH_AFTER_JOURNAL_ENTRY'];
  const trace = env['BERTH_TEST_JOURNAL_TRACE'];
  if (at === undefined && trace === undefined) return undefined;
  const n = at === undefined ? Infinity : Number(at);
  let seen = 0;
  return (entries, written) => {
    if (entries === seen) return;
    seen = entries;
    if (trace) appendFileSync(trace, `${JSON.stringify({ entries, serial: written.serial, steps: (written.journal?.entries ?? []).map((e) => `${e.id}:${e.status}`) })}\n`);
    if (entries >= n) process.kill(process.pid, 'SIGKILL');
  };
}
