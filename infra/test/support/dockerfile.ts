import { readFileSync } from 'node:fs';
import { type Dockerfile, DockerfileParser, type Instruction, type JSONInstruction } from 'dockerfile-ast';
import { repoPath } from './repo.js';

export type ParsedDockerfile = {
  path: string;
  text: string;
  ast: Dockerfile;
  /** Instructions of each stage, by stage name (the last one is the image that ships). */
  stages: Array<{ name: string | null; from: string; instructions: Instruction[] }>;
};

export function parseDockerfile(relativePath: string): ParsedDockerfile {
  const text = readFileSync(repoPath(relativePath), 'utf8');
  const ast = DockerfileParser.parse(text);
  const stages: ParsedDockerfile['stages'] = [];
  for (const instruction of ast.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const args = instruction.getArguments().map((a) => a.getValue());
      const asIndex = args.findIndex((a) => a.toLowerCase() === 'as');
      stages.push({
        name: asIndex >= 0 ? (args[asIndex + 1] ?? null) : null,
        from: args.filter((a) => !a.startsWith('--'))[0] ?? '',
        instructions: [],
      });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { path: relativePath, text, ast, stages };
}

/** The JSON (exec form) arguments of CMD, ENTRYPOINT or HEALTHCHECK CMD, or null for shell form. */
export function execForm(instruction: Instruction): string[] | null {
  const json = (instruction as JSONInstruction).getJSONStrings?.();
  if (!json || json.length === 0) return null;
  return json.map((s) => s.getValue().replace(/^"|"$/g, ''));
}

/** ENV key=value pairs of a list of instructions. */
export function envOf(instructions: Instruction[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const instruction of instructions.filter((i) => i.getKeyword() === 'ENV')) {
    for (const arg of instruction.getArguments().map((a) => a.getValue())) {
      const eq = arg.indexOf('=');
      if (eq > 0) env[arg.slice(0, eq)] = arg.slice(eq + 1);
    }
  }
  return env;
}

/** RUN commands of a stage, without their --mount flags. */
export const runCommands = (instructions: Instruction[]) =>
  instructions
    .filter((i) => i.getKeyword() === 'RUN')
    .map((i) =>
      (i.getArgumentsContent() ?? '')
        .replace(/\\\n/g, ' ')
        .replace(/--mount=\S+\s+/g, '')
        .trim(),
    );

/** HEALTHCHECK's exec-form command, or null when it is shell form or NONE. */
export function healthcheckCommand(instruction: Instruction): string[] | null {
  const content = (instruction.getArgumentsContent() ?? '').replace(/\\\n/g, ' ');
  const match = content.match(/\bCMD\s+(\[.*\])\s*$/s);
  if (!match) return null;
  try {
    return JSON.parse(match[1] as string) as string[];
  } catch {
    return null;
  }
}
