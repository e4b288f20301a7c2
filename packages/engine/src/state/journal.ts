/**
 * The journal inside state: pure helpers the executor writes with and the planner reads.
 * One entry per step (a later status replaces the earlier). A step that is done closes its
 * entry in the write that records it — the record is the lasting evidence — so the journal
 * holds only steps in flight, cut short or failed, and a large cluster's state does not grow
 * by an entry per resource.
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

/** `state` with the entry of step `id` closed (removed). */
export function withoutJournalEntry(state: State, id: string): State {
  const j = state.journal;
  if (!j || !j.entries.some((e) => e.id === id)) return state;
  return { ...state, journal: { ...j, entries: j.entries.filter((e) => e.id !== id) } };
}
