#!/usr/bin/env node
// berth's packages are versioned and released together: one version for all of them, and each
// pins the others at exactly that version (the CLI bundles core and engine, so a user's
// @berth/core must be the one the CLI runs).
//
//   node scripts/release.mjs 0.2.0            set every package to 0.2.0 (or: patch | minor | major)
//   node scripts/release.mjs 0.2.0 --publish  ... then npm publish each, in dependency order
//   node scripts/release.mjs --check          exit 1 unless all versions and pins agree
//                                             (--root DIR: of another checkout; the tests use it)
//
// Then commit (`release v0.2.0`) and tag (`v0.2.0`). Publishing builds once (scripts/build.mjs,
// which builds every package: what each package's prepack runs) and publishes each package with
// --ignore-scripts, so the build does not run again per package. `npm_config_registry` chooses
// the registry as usual.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const rootAt = args.indexOf('--root');
const root = rootAt >= 0 ? args[rootAt + 1] : fileURLToPath(new URL('..', import.meta.url));

/** Published packages, dependencies first (the order of publishing). */
const PACKAGES = ['packages/core', 'packages/engine', 'packages/cli', 'packages/create-berth', 'examples/construct-library'];

const read = (dir) => JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
const write = (dir, pkg) => writeFileSync(join(root, dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);

/** What every internal dependency must say for `version`: exact pins, a caret for peers. */
function pinned(pkg, names, version) {
  const problems = [];
  for (const field of ['dependencies', 'peerDependencies']) {
    for (const dep of Object.keys(pkg[field] ?? {})) {
      if (!names.has(dep)) continue;
      const want = field === 'peerDependencies' ? `^${version}` : version;
      if (pkg[field][dep] !== want) problems.push({ field, dep, have: pkg[field][dep], want });
    }
  }
  return problems;
}

function bump(current, how) {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(current);
  if (!m) throw new Error(`cannot bump ${current}`);
  const [maj, min, pat] = m.slice(1).map(Number);
  if (how === 'major') return `${maj + 1}.0.0`;
  if (how === 'minor') return `${maj}.${min + 1}.0`;
  return `${maj}.${min}.${pat + 1}`;
}

const pkgs = PACKAGES.map((dir) => ({ dir, pkg: read(dir) }));
const names = new Set(pkgs.map((p) => p.pkg.name));

if (args.includes('--check')) {
  const versions = new Set(pkgs.map((p) => p.pkg.version));
  const problems = pkgs.flatMap(({ dir, pkg }) => pinned(pkg, names, pkg.version).map((x) => `${dir}: ${x.field}.${x.dep} is ${x.have}, want ${x.want}`));
  if (versions.size > 1) problems.unshift(`versions differ: ${pkgs.map((p) => `${p.pkg.name}@${p.pkg.version}`).join(', ')}`);
  for (const p of problems) console.error(p);
  process.exit(problems.length > 0 ? 1 : 0);
}

const target = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--root');
if (!target) {
  console.error('usage: node scripts/release.mjs <version | patch | minor | major> [--publish] | --check');
  process.exit(1);
}
const version = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(target) ? target : bump(pkgs[0].pkg.version, target);
for (const { dir, pkg } of pkgs) {
  pkg.version = version;
  for (const x of pinned(pkg, names, version)) pkg[x.field][x.dep] = x.want;
  write(dir, pkg);
  console.log(`${pkg.name}@${version}`);
}
// The lock file records workspace versions too.
execFileSync('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });

if (args.includes('--publish')) {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  for (const dir of PACKAGES) execFileSync('npm', ['publish', '--ignore-scripts', '-w', dir], { cwd: root, stdio: 'inherit' });
} else {
  console.log(`\nnext: git commit -am "release v${version}" && git tag v${version} && node scripts/release.mjs ${version} --publish`);
}
