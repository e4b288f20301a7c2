import { parseArgs, type ParseArgsConfig } from 'node:util';
import { BerthError } from '@berth/core';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags every command that loads a program accepts. */
export const APP_OPTIONS = {
  app: { type: 'string', short: 'a' },
  out: { type: 'string', short: 'o' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  /** A parameter value, `name=value` (repeatable); see load/params.ts. */
  set: { type: 'string', multiple: true },
  /** The environment of berth.params.json to read parameters from. */
  env: { type: 'string' },
} as const satisfies Options;

/** The parameter flags of a parsed command line. */
export function paramFlags(values: { set?: string[] | undefined; env?: string | undefined }): { set: string[]; env: string | undefined } {
  return { set: values.set ?? [], env: values.env };
}

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
