/**
 * @berth/cli as a library: run berth's commands in-process (`main(['deploy', '--yes'], ctx)`)
 * or add one (`registerCommand`). The `berth` binary is the same `main` wired to the process.
 */
export { main, registerCommand, version } from './main.ts';
export type { Command, CommandContext } from './context.ts';
