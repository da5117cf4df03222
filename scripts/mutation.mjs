#!/usr/bin/env node
/**
 * `pnpm test:mutation`: Stryker (stryker.config.mjs, incremental) over the critical modules, then each
 * module held to its floor from the JSON report. `--changed`: run Stryker only when a critical module
 * or one of its test files differs from the incremental report kept in the repository; otherwise only
 * check the floors against the stored report. Exit 1 when a module is below its floor or unreported.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { calculateMutationTestMetrics } from 'mutation-testing-metrics';
import config, { floors } from '../stryker.config.mjs';

process.chdir(fileURLToPath(new URL('..', import.meta.url)));
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

/** Critical modules and test files whose text differs from the stored incremental report. */
function changedSinceReport() {
  if (!existsSync(config.incrementalFile)) return ['(no incremental report)'];
  const report = readJson(config.incrementalFile);
  const stored = { ...report.files, ...report.testFiles };
  const changed = config.mutate.filter((path) => !stored[path]);
  for (const [path, file] of Object.entries(stored)) {
    if (!existsSync(path) || readFileSync(path, 'utf8') !== file.source) changed.push(path);
  }
  return changed;
}

if (process.argv.includes('--changed')) {
  const changed = changedSinceReport();
  if (changed.length === 0)
    console.log('mutation: no critical module or its tests changed; checking the stored report');
  else console.log(`mutation: changed since the stored report: ${changed.join(', ')}`);
  if (changed.length > 0) runStryker();
} else {
  runStryker();
}
checkFloors();

function runStryker() {
  const stryker = spawnSync('node_modules/.bin/stryker', ['run'], { stdio: 'inherit' });
  if (stryker.status !== 0) process.exit(stryker.status ?? 1);
}

function checkFloors() {
  const report = readJson(config.jsonReporter.fileName);
  const scores = new Map();
  const visit = (node) => {
    if (node.file) scores.set(node.file.name, node.metrics);
    for (const child of node.childResults) visit(child);
  };
  visit(calculateMutationTestMetrics(report).systemUnderTestMetrics);
  const rows = Object.entries(floors).map(([file, floor]) => {
    const metrics = scores.get(file);
    const score = metrics ? metrics.mutationScore : Number.NaN;
    return { file, floor, score, survived: metrics?.survived ?? '-', ok: score >= floor };
  });
  console.log('\nmutation score floors');
  for (const r of rows) {
    const score = Number.isNaN(r.score) ? 'not reported' : `${r.score.toFixed(2)} %`;
    console.log(`${r.ok ? 'ok  ' : 'LOW '} ${r.file}  ${score} (floor ${r.floor} %, ${r.survived} survived)`);
  }
  if (rows.some((r) => !r.ok)) {
    console.error('mutation: a critical module is below its floor (see TESTING.md)');
    process.exit(1);
  }
}
