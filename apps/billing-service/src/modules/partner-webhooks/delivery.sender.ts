import { performance } from 'node:perf_hooks';
import { cleanText } from '@mna/shared';
import { type Dispatcher, request } from 'undici';

/** The part of a receiver's answer kept in the attempt log. */
export const RESPONSE_BODY_LIMIT = 20 * 1024;

export type SendOutcome = {
  /** null when no HTTP answer arrived (refused address, DNS, connection, timeout). */
  statusCode: number | null;
  responseBody: string | null;
  error: string | null;
  durationMs: number;
  retryAfter: string | undefined;
};

export type SendRequest = {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** An agent whose connect.lookup refuses private addresses (url-guard), so DNS rebinding fails too. */
  dispatcher: Dispatcher;
};

async function readCapped(body: AsyncIterable<Buffer> & { destroy: () => unknown }) {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= RESPONSE_BODY_LIMIT) {
      body.destroy();
      break;
    }
  }
  // Stored as text: cleaned like all text from outside a request (a truncated multi-byte character
  // decodes to U+FFFD).
  return cleanText(Buffer.concat(chunks).subarray(0, RESPONSE_BODY_LIMIT).toString('utf8'));
}

const describe = (error: unknown, timeoutMs: number) => {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError')
      return `timed out after ${timeoutMs} ms`;
    const code = (error as { code?: string }).code;
    return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
};

/**
 * POSTs one signed delivery. Redirects are never followed (undici's request has no redirect handling
 * unless an interceptor adds it): a 3xx is an answer like any other non-2xx. The whole exchange,
 * body included, is bounded by `timeoutMs`.
 */
export async function sendDelivery(req: SendRequest): Promise<SendOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await request(req.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'mna-webhooks/1', ...req.headers },
      body: req.body,
      dispatcher: req.dispatcher,
      signal: AbortSignal.timeout(req.timeoutMs),
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
    });
    const retryAfter = response.headers['retry-after'];
    const responseBody = await readCapped(response.body);
    return {
      statusCode: response.statusCode,
      responseBody,
      error: null,
      durationMs: elapsed(),
      retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
    };
  } catch (error) {
    return {
      statusCode: null,
      responseBody: null,
      error: describe(error, req.timeoutMs),
      durationMs: elapsed(),
      retryAfter: undefined,
    };
  }
}
