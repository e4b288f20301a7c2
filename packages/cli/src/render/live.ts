/**
 * Deploy progress on a terminal: the steps that are running stay at the bottom of the screen,
 * one row each (spinner, id, action, seconds so far, latest message), redrawn in place; a step
 * that ends leaves its final line(s) above them, exactly as piped output prints them. Piped
 * output and `--json` use `progressPrinter` instead.
 */
import { Chalk } from 'chalk';
import type { DeployEvent } from '@berth/engine';
import { isBuildOutput, progressPrinter } from './progress.ts';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** How often the rows are redrawn while nothing happens (elapsed seconds, spinner). */
const TICK_MS = 100;

export interface LiveOptions {
  readonly color: boolean;
  readonly verbose: boolean;
  /** Terminal width; rows are cut to it so that one row is one screen line. */
  readonly columns?: number | undefined;
  /** For tests: the clock and whether to redraw on a timer. */
  readonly now?: () => number;
  readonly timer?: boolean;
}

export interface LiveProgress {
  readonly emit: (e: DeployEvent) => void;
  /** Clears the running rows and stops redrawing; what ended stays on screen. */
  stop(): void;
}

interface Running {
  readonly id: string;
  readonly label: string;
  readonly since: number;
  message: string;
}

export function liveProgress(out: { write(s: string): unknown }, opts: LiveOptions): LiveProgress {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const now = opts.now ?? Date.now;
  // A pty without a size (script(1) under a pipe) reports 0 columns.
  const width = opts.columns ? Math.max(20, opts.columns) : 80;
  const running = new Map<string, Running>();
  let drawn = 0;
  let frame = 0;
  let pending = '';
  // The final lines of a step are the plain printer's: one wording for both outputs.
  const final = progressPrinter({ write: (s: string) => (pending += s) }, { color: opts.color, json: false, verbose: opts.verbose });

  const clip = (s: string): string => (s.length > width - 1 ? `${s.slice(0, width - 2)}…` : s);
  const redraw = (): void => {
    // Up to the first running row, clear to the end of the screen, print what ended, redraw.
    let s = drawn > 0 ? `\x1b[${drawn}F\x1b[J` : '';
    s += pending;
    pending = '';
    const rows = [...running.values()];
    for (const r of rows) {
      const secs = `${((now() - r.since) / 1000).toFixed(1)}s`;
      const spin = SPINNER[frame % SPINNER.length] ?? '';
      const plain = clip(`${spin} ${r.id} ${r.label} ${secs}${r.message ? `  ${r.message}` : ''}`);
      // Colour after clipping, so escape codes never count towards the width.
      const idFrom = spin.length + 1;
      const idTo = idFrom + r.id.length + 1;
      s += `${c.cyan(plain.slice(0, idFrom))}${plain.slice(idFrom, idTo)}${c.dim(plain.slice(idTo))}\n`;
    }
    drawn = rows.length;
    out.write(s);
  };

  const timer = opts.timer === false ? undefined : setInterval(() => {
    frame++;
    if (running.size > 0) redraw();
  }, TICK_MS);
  timer?.unref();

  return {
    emit(e) {
      switch (e.type) {
        case 'step-start':
          running.set(e.id, { id: e.id, label: `${e.action} ${e.kind}`, since: now(), message: '' });
          break;
        case 'step-progress': {
          const r = running.get(e.id);
          // Build output goes above the rows with --verbose (as when piped); otherwise only
          // the latest short message shows, on the step's row.
          if (opts.verbose) final(e);
          else if (r && !isBuildOutput(e.message)) r.message = e.message.split('\n')[0] ?? '';
          break;
        }
        default:
          running.delete(e.id);
          final(e);
      }
      redraw();
    },
    stop() {
      if (timer) clearInterval(timer);
      running.clear();
      redraw();
    },
  };
}
