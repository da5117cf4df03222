import { randomBytes } from 'node:crypto';

/** A Stripe object as the fake stores it. */
export type Obj = Record<string, unknown> & { id: string };
/** What a route answers: status (default 200) and JSON body. */
export type Answer = { status?: number; body?: unknown };

export const now = () => Math.floor(Date.now() / 1000);
export const newId = (prefix: string) => `${prefix}_${randomBytes(8).toString('hex')}`;
export const list = (data: unknown[], url: string) => ({ object: 'list', data, has_more: false, url });
export const missing = (what: string): Answer => ({
  status: 404,
  body: { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such ${what}` } },
});

/** Decodes Stripe's bracketed form encoding (`a[b][0][c]=v`) into nested objects and arrays. */
export function decodeForm(text: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const pair of text.split('&').filter(Boolean)) {
    const [rawKey, rawValue = ''] = pair.split('=');
    const key = decodeURIComponent(rawKey!.replace(/\+/g, ' '));
    const value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
    const parts = key.split(/\[|\]\[|\]/).filter((p, i) => p !== '' || i === 0);
    let node: Record<string, unknown> | unknown[] = root;
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      const nextIsIndex = !last && /^\d*$/.test(parts[i + 1]!);
      const slot = part === '' ? (node as unknown[]).length : part;
      const container = node as Record<string, unknown>;
      if (last) container[slot as string] = value;
      else {
        container[slot as string] ??= nextIsIndex ? [] : {};
        node = container[slot as string] as Record<string, unknown>;
      }
    });
  }
  return root;
}
