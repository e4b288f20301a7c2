/**
 * Deploy progress: one line per event. On a terminal the lines are coloured and progress
 * messages are shown; piped output gets the same lines plain; `--json` prints the events.
 */
import { Chalk } from 'chalk';
import type { DeployEvent } from '@berth/engine';

const SYMBOL: Record<string, string> = { create: '+', update: '~', replace: '±', delete: '-', move: '→', repair: '!' };

/** A line of the engine's build output (`Step 2/4 : COPY …`, ` ---> 1a2b`), as opposed to a rollout message. */
export function isBuildOutput(message: string): boolean {
  return /^(Step |\s|---|Successfully|Removing intermediate)/.test(message);
}

export function progressPrinter(out: { write(s: string): unknown }, mode: { color: boolean; json: boolean; verbose: boolean }): (e: DeployEvent) => void {
  const c = new Chalk({ level: mode.color ? 1 : 0 });
  return (e) => {
    if (mode.json) {
      out.write(`${JSON.stringify(e)}\n`);
      return;
    }
    switch (e.type) {
      case 'step-start':
        out.write(`${c.dim(SYMBOL[e.action] ?? '·')} ${e.id} ${c.dim(`${e.action} ${e.kind}…`)}\n`);
        return;
      case 'step-progress':
        // Build output is long: only with --verbose. Rollout steps are short and always shown.
        if (mode.verbose || !isBuildOutput(e.message)) {
          if (!mode.verbose && e.message.length > 160) return;
          out.write(c.dim(`  ${e.id}: ${e.message}\n`));
        }
        return;
      case 'step-done':
        out.write(`${c.green('✓')} ${e.id} ${c.dim(`${e.action} done in ${(e.ms / 1000).toFixed(1)}s`)}\n`);
        return;
      case 'step-failed':
        out.write(`${c.red('✗')} ${e.id} ${c.red(`${e.action} failed`)}${e.source ? c.dim(` (${e.source})`) : ''}\n`);
        out.write(`  ${e.reason}\n`);
        for (const d of e.detail.slice(-12)) out.write(c.dim(`    ${d}\n`));
        if (e.rolledBack) out.write(c.yellow('  rolled back: the previous replicas keep serving\n'));
        return;
      case 'step-skipped':
        out.write(`${c.yellow('-')} ${e.id} ${c.dim(`skipped: ${e.because}`)}\n`);
        return;
    }
  };
}
