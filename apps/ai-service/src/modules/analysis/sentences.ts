/** Words ending in a full stop that do not end a sentence. */
const ABBREVIATIONS = new Set(
  'inc ltd llc plc corp co no nos vs st mr mrs ms dr jr sr approx e.g i.e etc jan feb mar apr jun jul aug sep sept oct nov dec fig sec art para'.split(
    ' ',
  ),
);

/** Whether the full stop at `end` (exclusive) closes an abbreviation or an initialism (U.S., Inc.). */
function abbreviationBefore(text: string, end: number): boolean {
  const word = /(\S+)$/.exec(text.slice(0, end))?.[1] ?? '';
  if (!word.endsWith('.')) return false;
  const bare = word.replace(/^[("'\u201c]+/, '').slice(0, -1);
  return /^(?:[A-Za-z]\.)*[A-Za-z]$/.test(bare) || ABBREVIATIONS.has(bare.toLowerCase());
}

/**
 * Sentence ends (offsets just past the end punctuation and any closing quote or bracket, or at a line
 * break): a full stop inside a number (62.5), an initialism (U.S.) or an abbreviation (Inc.) is not one.
 */
export function sentenceEnds(text: string): number[] {
  const ends: number[] = [];
  for (const m of text.matchAll(/[.!?]+["')\]\u201d\u2019]*(?=\s|$)|\n/g)) {
    const end = (m.index ?? 0) + m[0].length;
    if (m[0] !== '\n' && m[0].startsWith('.') && m[0].length === 1 && abbreviationBefore(text, end)) continue;
    ends.push(end);
  }
  if (ends.at(-1) !== text.length) ends.push(text.length);
  return ends;
}

/** Sentences of a text, verbatim and trimmed (each is a substring of the text, so it can be quoted). */
export function sentencesOf(text: string): string[] {
  let start = 0;
  const sentences: string[] = [];
  for (const end of sentenceEnds(text)) {
    const s = text.slice(start, end).trim();
    if (s) sentences.push(s);
    start = end;
  }
  return sentences;
}
