import { AppError, cheapestPlanWith, ForbiddenError, getPlan, type Principal } from '@mna/shared';
import { type CallToolResult, ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

/**
 * Why this caller's plan may not use MCP, or null when it may. The endpoint stays reachable for every
 * authenticated plan so an assistant hears this as a tool error, not as a failed connection.
 */
export function mcpRefusal(principal: Principal): ForbiddenError | null {
  const plan = getPlan(principal.plan);
  if (plan.entitlements.mcpAccess) return null;
  const including = cheapestPlanWith('mcp');
  return new ForbiddenError(
    `Your plan (${plan.name}) does not include MCP access; upgrade to ${including?.name ?? 'a higher'} plan or above to use these tools.`,
  );
}

/** For resources and prompts, which have no tool-error form: a JSON-RPC error with the same message. */
export function assertMcpAllowed(principal: Principal): void {
  const refusal = mcpRefusal(principal);
  if (refusal) throw new McpError(ErrorCode.InvalidRequest, refusal.message);
}

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
