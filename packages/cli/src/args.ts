import { parseArgs, type ParseArgsConfig } from 'node:util';
import { BerthError } from '@berth/core';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags every command that loads a program accepts. */
export const APP_OPTIONS = {
  app: { type: 'string', short: 'a' },
  out: { type: 'string', short: 'o' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

/** parseArgs with berth's error shape: an unknown flag is a usage error with a hint. */
export function parse<O extends Options>(command: string, args: readonly string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals, strict: true });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new BerthError('cli.usage', `berth ${command}: ${msg.replace(/\. To specify.*$/s, '')}`, {
      hint: `run \`berth ${command} --help\` for the flags it takes`,
      cause: e,
    });
  }
}
