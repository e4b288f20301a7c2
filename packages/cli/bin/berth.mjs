#!/usr/bin/env node
// The `berth` command. Runs the bundled CLI (dist/berth.cjs, built by `npm run build`) through
// V8's code cache: the first run of each command saves the bytecode V8 compiled for it, and
// later runs skip parsing and compiling the CLI (about a third of the start-up of `berth synth`
// on the machines we measure). This is what Node 22's module.enableCompileCache() does; berth
// runs on Node 20, which has only the vm API for it.
//
// The cache lives in $BERTH_CACHE_DIR, else $XDG_CACHE_HOME/berth, else ~/.cache/berth, one
// file per command, named after node's version, the bundle's size and mtime (a rebuilt bundle
// never meets an old cache) and node's flags (V8 rejects a cache made under other flags; one
// it rejects anyway is written anew). BERTH_NO_COMPILE_CACHE=1 turns it off; a cache that cannot be read
// or written is simply not used.
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { berthCacheDir } from './cache-dir.mjs';

const file = fileURLToPath(new URL('../dist/berth.cjs', import.meta.url));
const source = readFileSync(file, 'utf8');
const env = process.env;
const COMMANDS = ['synth', 'diff', 'deploy', 'destroy', 'status', 'graph', 'init', 'drain', 'logs'];

let cacheFile;
let cached;
if (!env.BERTH_NO_COMPILE_CACHE) {
  try {
    const dir = berthCacheDir(env);
    const st = statSync(file);
    // V8 rejects a cache made under other flags; runs with other flags keep their own.
    const key = `${process.version}-${process.arch}-${st.size}-${Math.trunc(st.mtimeMs)}-${flagsTag()}`;
    const command = COMMANDS.includes(process.argv[2]) ? process.argv[2] : 'other';
    cacheFile = join(dir, `${key}-${command}.v8cache`);
    cached = readFileSync(cacheFile);
  } catch {
    // no cache yet (or no home): compile from source
  }
}

const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: file,
  cachedData: cached,
  importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});

if (cacheFile && (cached === undefined || script.cachedDataRejected)) {
  // At exit the cache also holds the functions this command ran, not only the top level.
  process.once('exit', () => saveCache(cacheFile, script));
}

// Packages the bundle loads at run time by name (@berth/target-kubernetes) are imported from
// here, an ES module: an import() inside the vm script would work too, but node prints an
// experimental warning for it on every run.
globalThis[Symbol.for('berth.import')] = (spec) => import(spec);

const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));

/** A short tag of node's and V8's flags for this process (execArgv and NODE_OPTIONS). */
function flagsTag() {
  const flags = `${process.execArgv.join(' ')}|${env.NODE_OPTIONS ?? ''}`;
  let h = 5381;
  for (let i = 0; i < flags.length; i++) h = ((h * 33) ^ flags.charCodeAt(i)) >>> 0;
  return h.toString(36);
}

function saveCache(target, compiled) {
  try {
    const data = compiled.createCachedData();
    const dir = dirname(target);
    mkdirSync(dir, { recursive: true });
    // Caches of other builds or node versions are dead weight (those of other flags are kept).
    const build = target.slice(dir.length + 1).split('-').slice(0, 4).join('-');
    for (const f of readdirSync(dir)) if (f.endsWith('.v8cache') && !f.startsWith(`${build}-`)) rmSync(join(dir, f), { force: true });
    const tmp = `${target}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    writeSync(fd, data);
    closeSync(fd);
    renameSync(tmp, target);
  } catch {
    // a read-only or full disk only costs the next run its speed-up
  }
}
