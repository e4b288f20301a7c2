#!/usr/bin/env node
// `npm init berth my-app`: a new folder holding berth's starter project (what `berth init`
// writes, from files inside @berth/cli: no network) with its packages installed.
//   npm init berth my-app                 then: cd my-app && npx berth deploy
//   npm init berth my-app -- --no-install only write the files
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { main } from '@berth/cli';

const args = process.argv.slice(2);
const install = !args.includes('--no-install');
const dirArg = args.find((a) => !a.startsWith('-'));
if (dirArg === undefined || args.includes('--help') || args.includes('-h')) {
  process.stdout.write('usage: npm init berth <folder> [-- --no-install]\n');
  process.exit(dirArg === undefined ? 1 : 0);
}
const dir = resolve(dirArg);
if (existsSync(dir) && readdirSync(dir).length > 0) {
  process.stderr.write(`error: ${dir} exists and is not empty\n  hint: name a new folder, or run \`npx @berth/cli init\` inside an existing project\n`);
  process.exit(1);
}
mkdirSync(dir, { recursive: true });
const code = await main(['init', '--name', basename(dir)], {
  cwd: dir,
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  color: Boolean(process.stdout.isTTY) && !('NO_COLOR' in process.env),
  signal: new AbortController().signal,
});
if (code !== 0) process.exit(code);
if (install) {
  process.stdout.write(`\ninstalling @berth/cli, @berth/core and typescript in ${dirArg} ...\n`);
  const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
  if (npm.status !== 0) {
    process.stderr.write(`error: npm install failed in ${dir} (exit ${npm.status ?? npm.signal})\n`);
    process.exit(1);
  }
}
process.stdout.write(`\ndone: cd ${dirArg} && ${install ? "" : "npm install && "}npx berth deploy\n`);
