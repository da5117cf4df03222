import type { FieldError } from './errors.js';

// PostgreSQL text cannot hold U+0000, and a lone UTF-16 surrogate has no UTF-8 encoding (pg would
// send U+FFFD in its place). Both are refused at the edge, or cleaned where text is not the caller's.
const NUL = '\u0000';
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATE_GLOBAL = new RegExp(LONE_SURROGATE.source, 'g');

/** Why a string cannot be stored as PostgreSQL text, or null when it can. */
export function textProblem(value: string): string | null {
  if (value.includes(NUL)) return 'contains a NUL character (U+0000), which cannot be stored';
  if (LONE_SURROGATE.test(value)) return 'contains a lone UTF-16 surrogate, which is not valid Unicode';
  return null;
}

/**
 * Every string (object keys included) in a parsed JSON value, query string or job payload that
 * PostgreSQL text cannot hold, as field errors with dotted paths under `root`. Iterative, so any
 * nesting depth the body limit lets through is walked without growing the stack.
 */
export function invalidTextFields(value: unknown, root: string, max = 20): FieldError[] {
  const errors: FieldError[] = [];
  const stack: Array<[unknown, string]> = [[value, root]];
  while (stack.length > 0 && errors.length < max) {
    const [node, path] = stack.pop()!;
    if (typeof node === 'string') {
      const problem = textProblem(node);
      if (problem) errors.push({ path, message: problem });
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push([node[i], `${path}.${i}`]);
    } else if (node !== null && typeof node === 'object' && !ArrayBuffer.isView(node)) {
      const entries = Object.entries(node);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i]!;
        const problem = textProblem(key);
        if (problem) errors.push({ path, message: `an object key ${problem}` });
        else stack.push([child, `${path}.${key}`]);
      }
    }
  }
  return errors;
}

/**
 * Text from outside any request (extracted from files, written by a model): NULs dropped and lone
 * surrogates replaced by U+FFFD, so it can be stored as it reads.
 */
export const cleanText = (value: string): string =>
  value.replaceAll(NUL, '').replace(LONE_SURROGATE_GLOBAL, '\ufffd');
