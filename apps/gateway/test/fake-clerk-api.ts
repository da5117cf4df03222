import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One opaque M2M token as Clerk's Backend API stores it. */
export type FakeM2MToken = {
  subject: string;
  claims: Record<string, unknown> | null;
  scopes?: string[];
  revoked?: boolean;
  /** Unix milliseconds, or null (never expires). */
  expiration?: number | null;
};

const readBody = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/**
 * A local stand-in for the one Clerk Backend API endpoint the gateway calls, `POST /m2m_tokens/verify`
 * (the SDK's m2m API omits the `/v1` version prefix), answering in Clerk's JSON shapes. Only requests
 * carrying `machineSecretKey` as bearer are served.
 */
export async function startFakeClerkApi(machineSecretKey: string) {
  const tokens = new Map<string, FakeM2MToken>();
  const calls: { path: string; authorization: string | undefined }[] = [];
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    calls.push({ path: req.url ?? '', authorization: req.headers.authorization });
    const send = (status: number, payload: unknown) => {
      // Clerk's SDK parses JSON only for exactly `application/json`.
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    };
    const error = (status: number, code: string, message: string) =>
      send(status, { errors: [{ code, message, long_message: message }] });
    if (req.method !== 'POST' || req.url !== '/m2m_tokens/verify')
      return error(404, 'resource_not_found', 'Not found');
    if (req.headers.authorization !== `Bearer ${machineSecretKey}`) {
      return error(401, 'authentication_invalid', 'Invalid machine secret key');
    }
    const { token } = JSON.parse(body || '{}') as { token?: string };
    const stored = token ? tokens.get(token) : undefined;
    if (!stored) return error(404, 'resource_not_found', 'Machine token not found');
    const now = Date.now();
    const expired = stored.expiration != null && stored.expiration <= now;
    send(200, {
      object: 'machine_to_machine_token',
      id: `mt_id_${token!.slice(3, 11)}`,
      subject: stored.subject,
      scopes: stored.scopes ?? [],
      claims: stored.claims,
      revoked: stored.revoked ?? false,
      revocation_reason: stored.revoked ? 'revoked in test' : null,
      expired,
      expiration: stored.expiration ?? null,
      created_at: now - 1_000,
      updated_at: now - 1_000,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tokens,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
