/**
 * The journal inside state: pure helpers the executor writes with and the planner reads.
 * One entry per step (a later status replaces the earlier), so the journal holds the last
 * deploy's steps and never grows beyond them.
 */
import type { JournalEntry, State, StateJournal } from './schema.ts';

/** Steps a crash cut short: `started`, with neither `done` nor `failed` after. */
export function interruptedSteps(state: State | undefined): Map<string, JournalEntry> {
  const out = new Map<string, JournalEntry>();
  for (const e of state?.journal?.entries ?? []) if (e.status === 'started') out.set(e.id, e);
  return out;
}

/**
 * A new deploy's journal. The steps an earlier deploy left half done are carried over: until
 * this deploy finishes (or undoes) each of them, a crash must not forget that they are open.
 */
export function beginJournal(state: State, head: Omit<StateJournal, 'entries'>): State {
  const carried = (state.journal?.entries ?? []).filter((e) => e.status === 'started');
  return { ...state, journal: { ...head, entries: carried } };
}

/** `state` with `entry` as the latest status of its step. */
export function withJournalEntry(state: State, entry: JournalEntry): State {
  const j = state.journal ?? { startedAt: entry.at, entries: [] };
  const entries = j.entries.filter((e) => e.id !== entry.id);
  entries.push(entry);
  return { ...state, journal: { ...j, entries } };
}
