/**
 * The write-ahead journal of one deploy. Before a step touches the runtime, `started` (the
 * labels and names of what it will create) is durable in state; after it, `done` lands in the
 * same write as the step's record, or `failed`. So at any crash point state says, per step,
 * either "finished and recorded" or "may have left objects labelled <spec>": the next deploy
 * reads that (`interrupted`) with the runtime labels and finishes or undoes the step.
 * `done` closes the entry (removes it) in the same write as the record; `failed` stays, with
 * its message, until a later deploy runs the step again.
 *
 * Entries go through the state writer's group commit, so steps that start or finish together
 * share one write; a deploy with nothing to do writes nothing.
 */
import type { Change } from '../plan/types.ts';
import { beginJournal, interruptedSteps, withJournalEntry, withoutJournalEntry } from '../state/journal.ts';
import type { JournalEntry, JournalStatus, State } from '../state/schema.ts';
import type { StateWriter } from './state-writer.ts';
import type { StepIntent } from './steps/index.ts';

export interface JournalOptions {
  readonly release: string;
  readonly planGraphHash: string;
  /** ISO time now (the executor's clock). */
  readonly now?: () => string;
}

export class Journal {
  /** Steps the last deploy left `started`, by id, as they were when this deploy began. */
  readonly interrupted: ReadonlyMap<string, JournalEntry>;
  private readonly startedAt: string;
  private readonly now: () => string;

  constructor(
    private readonly writer: StateWriter,
    private readonly options: JournalOptions,
  ) {
    this.now = options.now ?? (() => new Date().toISOString());
    this.startedAt = this.now();
    this.interrupted = interruptedSteps(writer.state);
  }

  /** Write-ahead: resolves once "this step may create these objects" is durable. */
  started(change: Change, intent: StepIntent): Promise<void> {
    return this.write(this.entry(change, 'started', intent));
  }

  /** The step finished: its record (`apply`) and the closing of its entry land in one write. */
  done(change: Change, apply: (s: State) => State): Promise<void> {
    return this.writer.commit((s) => withoutJournalEntry(this.begin(apply(s)), change.id), 1);
  }

  failed(change: Change, intent: StepIntent | undefined, message: string): Promise<void> {
    return this.write(this.entry(change, 'failed', intent, message));
  }

  /** An open step of an earlier deploy that this one settled without a step of its own. */
  resolved(open: JournalEntry): Promise<void> {
    return this.writer.commit((s) => withoutJournalEntry(this.begin(s), open.id), 1);
  }

  private entry(change: Change, status: JournalStatus, intent: StepIntent | undefined, message?: string): JournalEntry {
    return {
      id: change.id,
      action: change.action,
      status,
      at: this.now(),
      kind: change.kind,
      ...(intent?.specHash !== undefined ? { specHash: intent.specHash } : {}),
      ...(intent && intent.creates.length > 0 ? { creates: [...intent.creates] } : {}),
      ...(message !== undefined ? { message } : {}),
    };
  }

  private write(entry: JournalEntry): Promise<void> {
    return this.writer.commit((s) => withJournalEntry(this.begin(s), entry), 1);
  }

  /** The first journal write of this deploy replaces the last deploy's journal (carrying its open steps). */
  private begin(s: State): State {
    if (s.journal?.startedAt === this.startedAt && s.journal.release === this.options.release) return s;
    return beginJournal(s, { planGraphHash: this.options.planGraphHash, release: this.options.release, startedAt: this.startedAt });
  }
}
