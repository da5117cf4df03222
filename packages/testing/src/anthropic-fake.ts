import { createHash } from 'node:crypto';
import { type FakeResponse, type RecordedRequest, startFakeServer } from './fake-server.js';

/** Usage as the Messages API reports it. */
export type AnthropicUsage = {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
};

/** Smallest cacheable prefix, in tokens, per model family (Anthropic's documented minimums). */
export function cacheMinimumTokens(model: string): number {
  return /haiku/i.test(model) ? 2048 : 1024;
}

/** The fake's token count: about four characters a token, as for English text. */
export const fakeTokens = (text: string) => Math.ceil(text.length / 4);

type Block = { cache_control?: unknown; [key: string]: unknown };
type MessagesBody = {
  model?: string;
  tools?: Block[];
  system?: string | Block[];
  messages?: Array<{ role: string; content: string | Block[] }>;
};

/** The prompt as Anthropic caches it: tools, then system, then the messages' blocks, in order. */
function blocksOf(body: MessagesBody): Block[] {
  const system =
    typeof body.system === 'string' ? [{ type: 'text', text: body.system }] : (body.system ?? []);
  const messages = (body.messages ?? []).flatMap((m) =>
    typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content,
  );
  return [...(body.tools ?? []), ...system, ...messages];
}

const blockText = (b: Block) => {
  const { cache_control: _ignored, ...rest } = b;
  return JSON.stringify(rest);
};
const blockTokens = (b: Block) => {
  const source = b.source as { data?: string } | undefined;
  const text = [b.text, source?.data, b.title, b.context, b.name, b.description].filter(
    (v): v is string => typeof v === 'string',
  );
  return fakeTokens(text.join('\n')) + 4;
};

/**
 * Anthropic's prompt cache, as the fake applies it: every cache_control breakpoint marks a prefix;
 * a prefix under the model's minimum is never cached; the longest cached prefix is read, and the
 * prefixes of later breakpoints are written; entries live five minutes from their last use.
 */
export function createPromptCache(options: { ttlMs?: number; now?: () => number } = {}) {
  const ttl = options.ttlMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, number>();

  function usage(body: MessagesBody, outputText: string): AnthropicUsage {
    const model = body.model ?? '';
    const blocks = blocksOf(body);
    const hash = createHash('sha256').update(model);
    let total = 0;
    const breakpoints: Array<{ key: string; tokens: number }> = [];
    for (const block of blocks) {
      hash.update(blockText(block));
      total += blockTokens(block);
      if (block.cache_control) breakpoints.push({ key: hash.copy().digest('hex'), tokens: total });
    }
    const t = now();
    const min = cacheMinimumTokens(model);
    let read = 0;
    let hit = -1;
    breakpoints.forEach((b, i) => {
      const expiry = entries.get(b.key);
      if (b.tokens >= min && expiry !== undefined && expiry > t) {
        read = b.tokens;
        hit = i;
      }
    });
    if (hit >= 0) entries.set(breakpoints[hit]!.key, t + ttl);
    let written = read;
    for (const b of breakpoints.slice(hit + 1)) {
      if (b.tokens < min) continue;
      entries.set(b.key, t + ttl);
      written = b.tokens;
    }
    return {
      input_tokens: total - written,
      output_tokens: fakeTokens(outputText),
      cache_creation_input_tokens: written - read,
      cache_read_input_tokens: read,
    };
  }

  return { usage, clear: () => entries.clear() };
}

/** A Messages API answer with `text` as its only block and the given usage. */
export function anthropicMessage(
  text: string,
  usage: AnthropicUsage,
  model = 'claude-sonnet-5-5',
): FakeResponse {
  return {
    status: 200,
    headers: { 'request-id': `req_${createHash('sha1').update(text).digest('hex').slice(0, 12)}` },
    body: {
      id: 'msg_fake',
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage,
    },
  };
}

/**
 * A fake Messages API that answers `answer(request)` and reports usage as Anthropic would, prompt
 * caching included (`createPromptCache`); every usage is kept in `usages` for assertions and benches.
 */
export async function startAnthropicFake(answer: (request: RecordedRequest) => string | Promise<string>) {
  const cache = createPromptCache();
  const usages: AnthropicUsage[] = [];
  let respond = answer;
  const server = await startFakeServer(async (request) => {
    const body = (request.json ?? {}) as MessagesBody;
    const text = await respond(request);
    const usage = cache.usage(body, text);
    usages.push(usage);
    return anthropicMessage(text, usage, body.model);
  });
  return {
    ...server,
    usages,
    cache,
    setAnswer: (next: typeof answer) => {
      respond = next;
    },
  };
}

export type AnthropicFake = Awaited<ReturnType<typeof startAnthropicFake>>;
