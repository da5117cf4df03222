/** Target chunk size in characters, and how much of the previous chunk each one repeats. */
export const CHUNK_TARGET_CHARS = 800;
export const CHUNK_OVERLAP_CHARS = 150;

const SENTENCE = /[^.!?\n]+(?:[.!?]+|$)\s*/g;

/** Splits a paragraph into sentences; a sentence longer than the target is cut on word boundaries. */
function units(paragraph: string, max: number): string[] {
  const out: string[] = [];
  for (const match of paragraph.match(SENTENCE) ?? [paragraph]) {
    let sentence = match.trim();
    while (sentence.length > max) {
      const cut = sentence.lastIndexOf(' ', max);
      const at = cut > max / 2 ? cut : max;
      out.push(sentence.slice(0, at).trim());
      sentence = sentence.slice(at).trim();
    }
    if (sentence) out.push(sentence);
  }
  return out;
}

/** The tail of a chunk (whole sentences where possible) repeated at the start of the next one. */
function overlapOf(pieces: string[], overlap: number): string[] {
  const kept: string[] = [];
  let size = 0;
  for (let i = pieces.length - 1; i >= 0 && size < overlap; i--) {
    const piece = pieces[i]!;
    if (size + piece.length > overlap && kept.length > 0) break;
    if (piece.length > overlap) break;
    kept.unshift(piece);
    size += piece.length + 1;
  }
  return kept;
}

/**
 * Splits a document on its structure: paragraphs first, then sentences, packed into chunks of about
 * `target` characters with `overlap` characters of the previous chunk repeated. Every chunk starts
 * with the document's title so that it carries its context into the embedding and the keyword index.
 */
export function chunkDocument(
  title: string,
  content: string,
  options: { target?: number; overlap?: number } = {},
): string[] {
  const target = options.target ?? CHUNK_TARGET_CHARS;
  const overlap = options.overlap ?? CHUNK_OVERLAP_CHARS;
  const paragraphs = content
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
  const chunks: string[][] = [];
  let current: string[] = [];
  let size = 0;
  let fresh = 0; // pieces in `current` that are not overlap
  for (const paragraph of paragraphs) {
    for (const piece of units(paragraph, target)) {
      if (size + piece.length > target && fresh > 0) {
        chunks.push(current);
        current = overlapOf(current, overlap);
        size = current.reduce((n, p) => n + p.length + 1, 0);
        fresh = 0;
      }
      current.push(piece);
      size += piece.length + 1;
      fresh++;
    }
  }
  if (fresh > 0) chunks.push(current);
  const heading = title.trim();
  return chunks.map((pieces) => `${heading}\n\n${pieces.join(' ')}`);
}
