import { existsSync, readFileSync } from 'node:fs';
import { ValidationSeverity, validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { envOf, execForm, healthcheckCommand, parseDockerfile, runCommands } from './support/dockerfile.js';
import { listApps, repoPath } from './support/repo.js';

const apps = listApps();
// LSP severities (vscode-languageserver-types exports them only as types here).
const DiagnosticSeverity = { Error: 1, Warning: 2 } as const;
const STRICT = {
  instructionCasing: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
};
const SERVICE_PORTS: Record<string, string> = {
  gateway: '3000',
  'search-service': '3001',
  'ai-service': '3002',
  'billing-service': '3003',
};

describe.each(apps.map((a) => a.name))('infra/docker/%s.Dockerfile', (app) => {
  const path = `infra/docker/${app}.Dockerfile`;
  const file = parseDockerfile(path);
  const runtime = file.stages.at(-1)!;
  const build = file.stages.find((s) => s.name === 'build');
  const argDefaults = Object.fromEntries(
    file.ast
      .getInstructions()
      .filter((i) => i.getKeyword() === 'ARG')
      .map((i) => (i.getArgumentsContent() ?? '').split('='))
      .map(([k, v]) => [k, v]),
  );
  const resolve = (image: string) =>
    image.replace(/^\$\{?([A-Z_]+)\}?$/, (_, name) => argDefaults[name] ?? '');

  it('has no syntax or instruction errors (dockerfile-utils, the Docker language server’s validator)', () => {
    const diagnostics = validate(file.text, STRICT);
    const problems = diagnostics.filter(
      (d) => d.severity === DiagnosticSeverity.Error || d.severity === DiagnosticSeverity.Warning,
    );
    expect(problems.map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it('is multi-stage, from pinned base images, and copies only from earlier stages', () => {
    expect(file.stages.length).toBeGreaterThanOrEqual(3);
    for (const stage of file.stages) {
      const image = resolve(stage.from);
      const isStage = file.stages.some((s) => s.name === stage.from);
      if (!isStage) expect(image, `FROM ${stage.from}`).toMatch(/^[a-z0-9./-]+:(?!latest$)[\w.-]+$/);
    }
    file.stages.forEach((stage, index) => {
      for (const copy of stage.instructions.filter((i) => i.getKeyword() === 'COPY')) {
        const from = (copy.getArgumentsContent() ?? '').match(/--from=(\S+)/)?.[1];
        if (from) expect(file.stages.slice(0, index).map((s) => s.name)).toContain(from);
      }
    });
  });

  it('installs and deploys only the app’s dependency closure, from the lockfile, without dev dependencies', () => {
    const runs = runCommands(build!.instructions);
    const install = runs.find((r) => r.includes('pnpm install'));
    expect(install).toContain('--frozen-lockfile');
    expect(install).toContain(`--filter @mna/${app}...`);
    // The image runs the app's own build, which is the one shared build (bundle + pnpm deploy --prod).
    expect(runs).toContain(`pnpm --filter @mna/${app} run build`);
    const { pkg } = apps.find((a) => a.name === app)!;
    expect(pkg.scripts?.build).toBe('node ../../infra/docker/build-app.mjs');
    const copies = runtime.instructions
      .filter((i) => i.getKeyword() === 'COPY')
      .map((i) => i.getArgumentsContent());
    expect(copies).toEqual([`/repo/apps/${app}/dist ./dist`]);
  });

  it('ships a production image: NODE_ENV=production, a non-root user, its port exposed', () => {
    const env = envOf(runtime.instructions);
    expect(env.NODE_ENV).toBe('production');
    expect(env.PORT).toBe(SERVICE_PORTS[app]);
    const users = runtime.instructions.filter((i) => i.getKeyword() === 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)?.getArgumentsContent()).not.toMatch(/^(root|0)(:|$)/);
    const expose = runtime.instructions.find((i) => i.getKeyword() === 'EXPOSE');
    expect(expose?.getArgumentsContent()).toBe(SERVICE_PORTS[app]);
    for (const instruction of runtime.instructions.filter((i) => ['ENV', 'ARG'].includes(i.getKeyword()))) {
      expect(instruction.getArgumentsContent()).not.toMatch(/(SECRET|_KEY|PASSWORD|TOKEN)\s*=/);
    }
  });

  it('starts node itself (exec form, no shell or package manager in between) and checks readiness', () => {
    const cmds = runtime.instructions.filter((i) => i.getKeyword() === 'CMD');
    expect(cmds).toHaveLength(1);
    const cmd = execForm(cmds[0]!);
    expect(cmd, 'CMD must be exec form').not.toBeNull();
    expect(cmd?.[0]).toBe('node');
    expect(cmd?.at(-1)).toBe('dist/main.js');
    expect(runtime.instructions.some((i) => i.getKeyword() === 'ENTRYPOINT')).toBe(false);
    const healthchecks = runtime.instructions.filter((i) => i.getKeyword() === 'HEALTHCHECK');
    expect(healthchecks).toHaveLength(1);
    const probe = healthcheckCommand(healthchecks[0]!);
    expect(probe?.[0]).toBe('node');
    expect(probe?.join(' ')).toContain('/readyz');
  });

  it('follows the usual lint rules (hadolint DL3000, DL3003, DL3004, DL3020, DL3025)', () => {
    for (const instruction of file.ast.getInstructions()) {
      const keyword = instruction.getKeyword();
      const args = instruction.getArgumentsContent() ?? '';
      if (keyword === 'WORKDIR') expect(args).toMatch(/^\//);
      if (keyword === 'RUN') expect(args).not.toMatch(/(^|&&\s*)cd\s|\bsudo\b/);
      expect(keyword).not.toBe('ADD');
      if (keyword === 'ENTRYPOINT') expect(execForm(instruction)).not.toBeNull();
    }
  });

  it('has a .dockerignore beside it that keeps secrets and build output out of the context', () => {
    const ignore = repoPath(`${path}.dockerignore`);
    expect(existsSync(ignore)).toBe(true);
    const lines = readFileSync(ignore, 'utf8').split('\n');
    for (const entry of ['.env', '**/node_modules', '.git', '**/dist']) expect(lines).toContain(entry);
  });
});

describe('the lint rules catch what they claim to catch', () => {
  it('a shell-form CMD, a root user and a missing healthcheck are all reported', async () => {
    const { DockerfileParser } = await import('dockerfile-ast');
    const bad = DockerfileParser.parse('FROM node:20\nUSER root\nCMD npm start\n');
    const cmd = bad.getInstructions().find((i) => i.getKeyword() === 'CMD')!;
    expect(execForm(cmd)).toBeNull();
    expect(bad.getInstructions().some((i) => i.getKeyword() === 'HEALTHCHECK')).toBe(false);
    expect(validate('FROM node:20\nworkdir app\n', STRICT).map((d) => d.severity)).toContain(
      DiagnosticSeverity.Error,
    );
  });
});
