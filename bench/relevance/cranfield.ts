import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DocumentInput } from '@mna/shared';
import type { Collection, LabelledQuery } from './collection.js';

/**
 * The Cranfield collection (Cleverdon 1967; 1,400 aerodynamics abstracts, 225 queries, graded
 * judgments) from the Glasgow IR group's files in `dir`: cran.all.1400, cran.qry, cranqrel.
 * A document is its title (.T) and abstract (.W). cranqrel numbers queries by their order in cran.qry
 * (the .I numbers there skip), and grades 1 (a complete answer) … 4 (of minimum interest), -1 none:
 * the gain is 5 − grade, so 4 … 1, and -1 is not relevant.
 */
export async function loadCranfield(dir: string): Promise<Collection> {
  const [all, qry, qrel] = await Promise.all(
    ['cran.all.1400', 'cran.qry', 'cranqrel'].map((f) => readFile(join(dir, f), 'utf8')),
  );
  const documents: DocumentInput[] = records(all!).map((r) => {
    const title = flatten(r.fields.T ?? '') || `Cranfield ${r.id}`;
    return {
      externalId: `cran-${r.id}`,
      kind: 'note',
      title: title.slice(0, 500),
      content: flatten(r.fields.W ?? '') || title,
      metadata: {},
    };
  });
  const relevant = new Map<string, Record<string, number>>();
  for (const line of qrel!.split('\n')) {
    const [qid, docId, grade] = line.trim().split(/\s+/).map(Number);
    if (!qid || !docId || grade === undefined || grade < 1 || grade > 4) continue;
    const judged = relevant.get(String(qid)) ?? {};
    judged[`cran-${docId}`] = 5 - grade;
    relevant.set(String(qid), judged);
  }
  const queries: LabelledQuery[] = records(qry!)
    .map((r, i) => ({
      id: String(i + 1),
      text: flatten(r.fields.W ?? ''),
      relevant: relevant.get(String(i + 1)) ?? {},
    }))
    .filter((q) => q.text && Object.keys(q.relevant).length > 0);
  return { name: 'cranfield', documents, queries };
}

/** The `.I n` records of a SMART-format file, each with its dot fields (.T, .A, .B, .W). */
function records(text: string) {
  return text
    .split(/^\.I\s+/m)
    .filter((block) => block.trim())
    .map((block) => {
      const [head = '', ...rest] = block.split('\n');
      const fields: Record<string, string> = {};
      let current: string | null = null;
      for (const line of rest) {
        const tag = /^\.([A-Z])\s*$/.exec(line);
        if (tag) current = tag[1]!;
        else if (current) fields[current] = `${fields[current] ?? ''}${line}\n`;
      }
      return { id: head.trim(), fields };
    });
}

const flatten = (text: string) => text.replace(/\s+/g, ' ').trim();
