import { localEmbedding } from '../src/modules/embeddings/local-embedder.js';

/** What OpenAI's /v1/embeddings answers for a request body, with local vectors as the embeddings. */
export function embeddingsAnswer(json: unknown, delayMs?: number) {
  const input = (json as { input: string[] }).input;
  return {
    status: 200,
    ...(delayMs ? { delayMs } : {}),
    body: {
      object: 'list',
      model: 'text-embedding-3-small',
      data: input.map((text, index) => ({ object: 'embedding', index, embedding: localEmbedding(text) })),
      usage: { prompt_tokens: 0, total_tokens: 0 },
    },
  };
}

/** An OpenAI error answer. */
export const openAiError = (status: number, headers: Record<string, string> = {}) => ({
  status,
  headers,
  body: { error: { message: `fake ${status}`, type: 'server_error', code: null, param: null } },
});
