/** What every command gets: its arguments and the process's streams, injected for testability. */
export interface CommandContext {
  /** Arguments after the command name. */
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: { write(s: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(s: string): unknown; readonly isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  /** Colour on stdout: a terminal, not NO_COLOR, or FORCE_COLOR. */
  readonly color: boolean;
  /** Cancelled on Ctrl-C / SIGTERM. */
  readonly signal: AbortSignal;
}

/** A command: returns the exit code (0 ok / no changes, 1 error, 2 diff found changes). */
export type Command = (ctx: CommandContext) => Promise<number>;
