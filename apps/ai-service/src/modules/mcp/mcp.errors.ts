import { AppError } from '@mna/shared';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/**
 * A failure the user can act on, as an MCP tool error (isError) with a clear message, instead of a
 * protocol error: not found, rate limited or overloaded (with the wait), refused by plan.
 */
export function toolError(error: unknown): CallToolResult {
  let text = 'The tool failed unexpectedly; try again later.';
  if (error instanceof AppError) {
    const retry = error.headers['retry-after'];
    if (error.status === 404) text = `Not found: ${error.message}`;
    else if (error.status === 429 || error.status === 503)
      text = `Rate limited or temporarily unavailable: ${error.message}${retry ? ` Retry after ${retry} seconds.` : ''}`;
    else if (error.status === 403) text = `Not allowed: ${error.message}`;
    else if (error.status === 400) text = `Invalid input: ${error.message}`;
    else text = `${error.title}: ${error.message}`;
  }
  return { isError: true, content: [{ type: 'text', text }] };
}

/** A tool result carrying the same object as text (for older clients) and as structuredContent. */
export function toolResult(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value };
}
