// The parts of the wink packages (plain JavaScript, no bundled types) that the baselines call.
declare module 'wink-bm25-text-search' {
  type Engine = {
    defineConfig(config: {
      fldWeights: Record<string, number>;
      bm25Params?: { k1?: number; b?: number; k?: number };
    }): boolean;
    definePrepTasks(tasks: Array<(input: string) => string | string[]>, field?: string): number;
    addDoc(doc: Record<string, string>, id: string | number): number;
    consolidate(freqPrecision?: number): boolean;
    search(text: string, limit?: number): Array<[string, number]>;
  };
  export default function bm25(): Engine;
}

declare module 'wink-nlp-utils' {
  const nlp: {
    string: { lowerCase(s: string): string; tokenize0(s: string): string[] };
    tokens: { removeWords(t: string[]): string[]; stem(t: string[]): string[] };
  };
  export default nlp;
}
