// The one build of every app, run as its `pnpm build` from the app's directory (and by the Dockerfiles):
//   1. tsup with tsup.image.mjs bundles the app and the workspace's TypeScript packages (@mna/*); every
//      npm package stays external, so a CommonJS dependency is never half-bundled;
//   2. `pnpm deploy --prod` writes the app's production closure as a flat (hoisted) node_modules, which
//      holds the npm dependencies of @mna/shared too, not only the app's own.
// The output directory (default `dist`, or `--out-dir <dir>`) is self-contained: main.js (worker.js,
// migrate.js), package.json and node_modules; `node <out>/main.js` runs it from anywhere.
// Plain .mjs with Node's own modules only: the Docker build stage runs it with nothing outside the app's
// dependency closure installed.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const appDir = process.cwd();
const outFlag = process.argv.indexOf('--out-dir');
const outDir = resolve(appDir, outFlag >= 0 ? process.argv[outFlag + 1] : 'dist');
const { name } = JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8'));

execFileSync('tsup', ['--config', join(here, 'tsup.image.mjs'), '--out-dir', outDir], {
  cwd: appDir,
  stdio: 'inherit',
});

/** Moves a file or directory, copying where the two paths are on different file systems. */
function move(from, to) {
  rmSync(to, { recursive: true, force: true });
  try {
    renameSync(from, to);
  } catch (error) {
    if (error.code !== 'EXDEV') throw error;
    cpSync(from, to, { recursive: true, verbatimSymlinks: true });
  }
}

// pnpm deploy wants an empty directory outside the app (it copies the app's own files into it).
const cache = join(root, 'node_modules/.cache');
mkdirSync(cache, { recursive: true });
const staging = mkdtempSync(join(cache, `deploy-${name.replace(/\W/g, '-')}-`));
try {
  const target = join(staging, 'out');
  execFileSync(
    'pnpm',
    ['--filter', name, 'deploy', '--prod', '--legacy', '--config.node-linker=hoisted', target],
    { cwd: root, stdio: 'inherit' },
  );
  for (const entry of ['package.json', 'node_modules']) move(join(target, entry), join(outDir, entry));
} finally {
  rmSync(staging, { recursive: true, force: true });
}
