import { EMBEDDING_DIMENSIONS } from './embedder.js';

/** FNV-1a, 32 bits: fast, stable across processes and platforms. */
function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Signed feature hashing of weighted features into 1536 dimensions, L2-normalised. A second hash
 * picks each feature's sign, so collisions cancel out on average instead of piling up. No features
 * (an empty or stop-word-only text) still give a valid unit vector, the same one every time.
 */
export function hashedUnitVector(features: Iterable<[feature: string, weight: number]>): number[] {
  const vector = new Float64Array(EMBEDDING_DIMENSIONS);
  for (const [feature, weight] of features) {
    const index = fnv1a(feature) % EMBEDDING_DIMENSIONS;
    const sign = fnv1a(feature, 0x9747b28c) & 1 ? 1 : -1;
    vector[index] = (vector[index] ?? 0) + sign * weight;
  }
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  if (norm === 0) {
    vector[0] = 1;
    norm = 1;
  }
  return Array.from(vector, (v) => v / norm);
}
