#!/usr/bin/env node
// `npm start`'s first step, before any compiler:
//  1. Checks the environment with src/app/config.ts itself (one schema), loaded through Node's
//     type stripping: a bad variable stops here with exit code 2 and a message naming it.
//  2. Builds only when something the build reads (src/, migrations/, tsconfig*.json,
//     package-lock.json) is newer than the last build's stamp, dist/.build-stamp; otherwise it
//     says "build up to date" and the compiler does not run. The build itself is incremental.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, rmSync, statSync, writeFileSync, utimesSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const stamp = join(root, 'dist', '.build-stamp');
const INPUTS = ['src', 'migrations', 'package-lock.json', ...readdirSync(root).filter((f) => /^tsconfig.*\.json$/.test(f))];

function checkEnvironment() {
  let config;
  try {
    const { registerHooks } = require('node:module');
    // The sources import without extensions (CommonJS style); under type stripping they need
    // `.ts`, and are ES modules (saying so spares Node's guess and its warning).
    const typescript = (resolved) => (resolved.url.endsWith('.ts') ? { ...resolved, format: 'module-typescript' } : resolved);
    registerHooks({
      resolve(specifier, context, next) {
        try {
          return typescript(next(specifier, context));
        } catch (error) {
          if (specifier.startsWith('.') && !specifier.endsWith('.ts')) return typescript(next(`${specifier}.ts`, context));
          throw error;
        }
      },
    });
    config = require(join(root, 'src', 'app', 'config.ts'));
  } catch (error) {
    // E.g. a Node.js without type stripping: the service checks the environment itself after the build.
    process.stderr.write(`environment not checked before the build (${String(error?.message ?? error).split('\n')[0]})\n`);
    return;
  }
  try {
    config.assertServiceConfig(config.loadConfig());
  } catch (error) {
    if (!(error instanceof config.ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
}

/** The newest modification time under `path` (directories count: a deleted file changes its folder). */
function newest(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, entry) => Math.max(max, newest(join(path, entry))), stat.mtimeMs);
}

function upToDate() {
  const built = statSync(stamp, { throwIfNoEntry: false });
  if (!built || !existsSync(join(root, 'dist', 'src', 'app', 'main.js'))) return false;
  return INPUTS.every((input) => newest(join(root, input)) <= built.mtimeMs);
}

checkEnvironment();
if (upToDate()) {
  process.stdout.write('build up to date (nothing in src/, migrations/, tsconfig*.json or package-lock.json changed): not compiling\n');
} else {
  process.stdout.write('building (tsc -p tsconfig.build.json, incremental)\n');
  // Stamped with the time the build started: a file saved during the build is newer, so it is built next time.
  const started = new Date();
  // Incremental tsc trusts its build info, not the outputs: without the outputs, it must start over.
  if (!existsSync(join(root, 'dist', 'src', 'app', 'main.js'))) rmSync(join(root, 'dist', 'tsconfig.build.tsbuildinfo'), { force: true });
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  writeFileSync(stamp, `${started.toISOString()}\n`);
  utimesSync(stamp, started, started);
}
