/**
 * berth in-process with its output captured: through `main` (as bin/berth.mjs runs it, errors
 * rendered to stderr) or one command on its own (errors thrown to the test). Neither stream is
 * a terminal, colour is off, stdin is empty, nothing cancels.
 */
import { Readable } from 'node:stream';
import type { Command, CommandContext } from '../../packages/cli/src/context.ts';
import { main } from '../../packages/cli/src/main.ts';

export interface Captured {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

type Env = CommandContext['env'];

/** Calls `call` with a context writing into strings; returns its exit code and what it wrote. */
async function captured(cwd: string, env: Env, call: (base: Omit<CommandContext, 'args'>) => Promise<number>): Promise<Captured> {
  let out = '';
  let err = '';
  const code = await call({
    cwd,
    env,
    stdout: { write: (s: string) => (out += s), isTTY: false },
    stderr: { write: (s: string) => (err += s), isTTY: false },
    stdin: Readable.from([]),
    color: false,
    signal: new AbortController().signal,
  });
  return { code, out, err };
}

/** `berth <args>` in `cwd`, through main: a failure is exit 1 and its diagnostics on stderr. */
export function runMain(cwd: string, args: readonly string[], env: Env = {}): Promise<Captured> {
  return captured(cwd, env, (base) => main(args, base));
}

/** One command with `args` (after the command's name) in `cwd`, without main: a failure throws. */
export function runCommand(command: Command, cwd: string, args: readonly string[], env: Env = {}): Promise<Captured> {
  return captured(cwd, env, (base) => command({ ...base, args }));
}
