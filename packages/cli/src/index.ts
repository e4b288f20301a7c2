/**
 * @berth/cli as a library: run berth's commands in-process (`main(['deploy', '--yes'], ctx)`)
 * or add one (`registerCommand`). The `berth` binary is the same `main` wired to the process.
 */
export { main, registerCommand } from './main.ts';
export { version } from './version.ts';
export type { Command, CommandContext } from './context.ts';
