/**
 * The terminal view of deploy progress, played on a small screen model that understands the
 * two escape sequences the renderer may use (cursor to the start of a line n lines up, clear to
 * the end of the screen): what a person sees after each event, and that what stays on screen
 * at the end is exactly what piped output prints.
 */
import type { DeployEvent } from '@berth/engine';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { liveProgress } from '../../packages/cli/src/render/live.ts';
import { progressPrinter } from '../../packages/cli/src/render/progress.ts';

/** A terminal screen: lines of text, the cursor always at a line start (as the renderer writes). */
class Screen {
  lines: string[] = [];
  row = 0;
  write(s: string): void {
    for (let i = 0; i < s.length; i++) {
      const esc = /^\x1b\[(\d*)([FJ])/.exec(s.slice(i));
      if (esc) {
        if (esc[2] === 'F') this.row = Math.max(0, this.row - Number(esc[1] || 1));
        else this.lines.length = this.row;
        i += esc[0].length - 1;
        continue;
      }
      const ch = s[i] ?? '';
      if (ch === '\n') {
        this.row++;
        continue;
      }
      if (ch === '\x1b') throw new Error(`unexpected escape sequence at ${JSON.stringify(s.slice(i, i + 8))}`);
      this.lines[this.row] = (this.lines[this.row] ?? '') + ch;
    }
  }
  /** What is on screen, without the line the cursor waits on. */
  get text(): string[] {
    return this.lines.slice(0, this.row);
  }
}

function setup(columns = 80, verbose = false): { screen: Screen; live: ReturnType<typeof liveProgress>; clock: { t: number } } {
  const screen = new Screen();
  const clock = { t: 0 };
  const live = liveProgress(screen, { color: false, verbose, columns, now: () => clock.t, timer: false });
  return { screen, live, clock };
}

const start = (id: string, action = 'create', kind = 'Deployment'): DeployEvent => ({ type: 'step-start', id, kind, action });
const done = (id: string, ms: number, action = 'create', kind = 'Deployment'): DeployEvent => ({ type: 'step-done', id, kind, action, ms });

describe('live deploy progress on a terminal', () => {
  it('shows one row per running step with its elapsed time and latest message', () => {
    const { screen, live, clock } = setup();
    live.emit(start('api'));
    live.emit(start('image', 'create', 'ImageBuild'));
    clock.t = 1500;
    live.emit({ type: 'step-progress', id: 'api', message: 'starting replicas 0, 1 of 2' });
    expect(screen.text).toEqual(['⠋ api create Deployment 1.5s  starting replicas 0, 1 of 2', '⠋ image create ImageBuild 1.5s']);
  });

  it('a step that ends leaves its final line above the rows that still run', () => {
    const { screen, live, clock } = setup();
    live.emit(start('api'));
    live.emit(start('web', 'create', 'Service'));
    clock.t = 2000;
    live.emit(done('api', 2000));
    expect(screen.text).toEqual(['✓ api create done in 2.0s', '⠋ web create Service 2.0s']);
    live.emit({ type: 'step-failed', id: 'web', kind: 'Service', action: 'create', reason: 'port 8080 is taken', detail: ['bind: address already in use'], rolledBack: false, source: 'cluster.ts:9' });
    expect(screen.text).toEqual(['✓ api create done in 2.0s', '✗ web create failed (cluster.ts:9)', '  port 8080 is taken', '    bind: address already in use']);
  });

  it('keeps build output off the screen unless --verbose, where it goes above the rows', () => {
    const quiet = setup();
    quiet.live.emit(start('image', 'create', 'ImageBuild'));
    quiet.live.emit({ type: 'step-progress', id: 'image', message: 'Step 1/3 : FROM scratch' });
    expect(quiet.screen.text).toEqual(['⠋ image create ImageBuild 0.0s']);
    const loud = setup(80, true);
    loud.live.emit(start('image', 'create', 'ImageBuild'));
    loud.live.emit({ type: 'step-progress', id: 'image', message: 'Step 1/3 : FROM scratch' });
    expect(loud.screen.text).toEqual(['  image: Step 1/3 : FROM scratch', '⠋ image create ImageBuild 0.0s']);
  });

  it('cuts rows to the terminal width, so that a row is one screen line', () => {
    const { screen, live } = setup(30);
    live.emit(start('a-deployment-with-a-long-name'));
    live.emit({ type: 'step-progress', id: 'a-deployment-with-a-long-name', message: 'waiting for 3 replicas to report healthy' });
    expect(screen.text).toHaveLength(1);
    expect(screen.text[0]?.length).toBeLessThanOrEqual(29);
    expect(screen.text[0]).toMatch(/…$/);
  });

  it('for any order of events, what stays after stop() is exactly what piped output prints', () => {
    const ids = ['a', 'b', 'c', 'd'];
    const event = fc.oneof(
      fc.constantFrom(...ids).map((id) => start(id)),
      fc.tuple(fc.constantFrom(...ids), fc.constantFrom('starting replica 0', '2/3 replicas ready', 'Step 2/4 : COPY . /', ' ---> 1a2b')).map(([id, message]): DeployEvent => ({ type: 'step-progress', id, message })),
      fc.tuple(fc.constantFrom(...ids), fc.integer({ min: 0, max: 99_000 })).map(([id, ms]) => done(id, ms)),
      fc.constantFrom(...ids).map((id): DeployEvent => ({ type: 'step-skipped', id, because: 'a dependency failed' })),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), fc.boolean(), (events, verbose) => {
        const { screen, live } = setup(80, verbose);
        let piped = '';
        const printer = progressPrinter({ write: (s: string) => (piped += s) }, { color: false, json: false, verbose });
        for (const e of events) {
          live.emit(e);
          // Piped output prints starts and progress too; the screen keeps only endings (and,
          // verbose, build output), so compare against the piped lines of those events.
          if (e.type !== 'step-start' && (e.type !== 'step-progress' || verbose)) printer(e);
        }
        live.stop();
        expect(screen.text.join('\n') + (screen.text.length ? '\n' : '')).toBe(piped);
      }),
    );
  });
});
