/** Dimensions of every embedding the service stores (text-embedding-3-small, and the local one). */
export const EMBEDDING_DIMENSIONS = 1536;

/** OpenAI's limits for one embeddings request. */
export const EMBEDDING_LIMITS = {
  maxInputsPerRequest: 2048,
  maxTokensPerRequest: 300_000,
  maxTokensPerInput: 8192,
} as const;

/** Turns texts into normalised 1536-dimension vectors, one per text, in order. */
export type Embedder = {
  provider: 'openai' | 'local';
  model: string;
  embed: (texts: string[]) => Promise<number[][]>;
};

/** A failure that retrying cannot fix (bad request, bad key): the job goes straight to dead-letter. */
export class PermanentEmbeddingError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentEmbeddingError';
  }
}

// Without the model's tokenizer we over-estimate: English runs ~4 UTF-8 bytes per token and dense
// scripts ~3, so bytes/3 never under-counts in practice and keeps every request inside the limits.
const BYTES_PER_TOKEN = 3;

/** Conservative token count of a text. */
export const estimateTokens = (text: string): number =>
  Math.ceil(Buffer.byteLength(text, 'utf8') / BYTES_PER_TOKEN);

/** Cuts a text to at most `maxTokens` estimated tokens, on a character boundary. */
export function truncateToTokens(text: string, maxTokens = EMBEDDING_LIMITS.maxTokensPerInput): string {
  if (estimateTokens(text) <= maxTokens) return text;
  const maxBytes = maxTokens * BYTES_PER_TOKEN;
  const bytes = Buffer.from(text, 'utf8').subarray(0, maxBytes);
  // Drop a trailing partial multi-byte character.
  return bytes.toString('utf8').replace(/\uFFFD$/, '');
}

/**
 * Splits inputs into requests that respect the per-request input and token limits, keeping order.
 * Inputs must already be truncated to the per-input limit.
 */
export function planRequests(
  texts: string[],
  limits: { maxInputs: number; maxTokens: number } = {
    maxInputs: EMBEDDING_LIMITS.maxInputsPerRequest,
    maxTokens: EMBEDDING_LIMITS.maxTokensPerRequest,
  },
): Array<{ start: number; end: number; tokens: number }> {
  const plans: Array<{ start: number; end: number; tokens: number }> = [];
  let start = 0;
  let tokens = 0;
  texts.forEach((text, i) => {
    const t = estimateTokens(text);
    if (i > start && (i - start >= limits.maxInputs || tokens + t > limits.maxTokens)) {
      plans.push({ start, end: i, tokens });
      start = i;
      tokens = 0;
    }
    tokens += t;
  });
  if (texts.length > start) plans.push({ start, end: texts.length, tokens });
  return plans;
}

/** pgvector's text form of a vector. */
export const toVectorLiteral = (vector: number[]): string => `[${vector.join(',')}]`;
