/**
 * Where a program threw a value that is not an Error (`throw 'no config'`): such a value
 * carries no stack, so the program is run once more under the inspector, paused at every throw
 * (in this same thread, so synchronously), and the last throw of an equal value is where it was.
 * Only a failed program pays for this; a program that throws differently the second time gets
 * no location.
 */
import type { Session as InspectorSession } from 'node:inspector';

export interface ThrowSite {
  /** The script's file as the VM named it, and the 1-based position of the throw. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The names of the functions on the stack at the throw, innermost first. */
  readonly functions: readonly string[];
}

interface Paused {
  readonly params: {
    readonly reason: string;
    readonly data?: { readonly type?: string; readonly value?: unknown; readonly description?: string };
    readonly callFrames: ReadonlyArray<{ readonly functionName: string; readonly url: string; readonly location: { readonly lineNumber: number; readonly columnNumber?: number } }>;
  };
}

/**
 * Runs `run` under the inspector; returns where `value` was last thrown, if it was. A script the
 * VM compiled from a string (the program's bundle) has no URL: its frames are `unnamedFile`'s.
 */
export async function findThrowSite(value: unknown, run: () => Promise<unknown>, unnamedFile: string): Promise<ThrowSite | undefined> {
  // Loaded only here: a program that runs fine never pays for the inspector module.
  const { Session } = (await import('node:inspector')) as { Session: typeof InspectorSession };
  const session = new Session();
  session.connect();
  let site: ThrowSite | undefined;
  session.on('Debugger.paused', (m: Paused) => {
    const { data, callFrames, reason } = m.params;
    const top = callFrames[0];
    if ((reason === 'exception' || reason === 'promiseRejection') && top && sameValue(data, value)) {
      site = { file: top.url === '' ? unnamedFile : top.url.startsWith('file://') ? new URL(top.url).pathname : top.url, line: top.location.lineNumber + 1, column: (top.location.columnNumber ?? 0) + 1, functions: callFrames.map((f) => f.functionName) };
    }
    session.post('Debugger.resume');
  });
  session.post('Debugger.enable');
  session.post('Debugger.setPauseOnExceptions', { state: 'all' });
  try {
    await run();
  } catch {
    // Thrown again, as expected: the site was recorded when it was thrown.
  } finally {
    session.post('Debugger.setPauseOnExceptions', { state: 'none' });
    session.post('Debugger.disable');
    session.disconnect();
  }
  return site;
}

/** Whether the inspector's view of a thrown value is `value` (primitives by value, objects by their description). */
function sameValue(data: Paused['params']['data'], value: unknown): boolean {
  if (!data) return false;
  if (value === null || typeof value !== 'object') return data.type === typeof value && (data.value === value || (typeof value === 'symbol' || typeof value === 'bigint' || value === undefined));
  return data.type === 'object';
}
