import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { ValidationError } from '@mna/shared';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createGuardedDispatcher,
  createGuardedLookup,
  createUrlGuard,
  isPublicAddress,
  PrivateAddressError,
  type ResolveHost,
  resolveWithSystem,
} from './url-guard.js';

const PUBLIC_IP = '93.184.216.34';
const NAMES: Record<string, LookupAddress[]> = {
  'hooks.partner.example': [{ address: PUBLIC_IP, family: 4 }],
  'v6.partner.example': [{ address: '2606:4700::1111', family: 6 }],
  'mixed.partner.example': [
    { address: PUBLIC_IP, family: 4 },
    { address: '10.1.2.3', family: 4 },
  ],
  'empty.partner.example': [],
  // Stands for a partner's public receiver: the test's policy admits only this address.
  'receiver.partner.example': [{ address: '127.0.0.1', family: 4 }],
};
const resolveHost: ResolveHost = async (host) => {
  const answer = NAMES[host];
  if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return answer;
};
const mustNotResolve: ResolveHost = async (host) => {
  throw new Error(`${host} was resolved although it is a literal address`);
};

/** The field error a refused URL carries, or null when the guard let it through. */
async function refusal(promise: Promise<void>) {
  try {
    await promise;
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    const { status, errors, message } = error as ValidationError;
    expect(status).toBe(400);
    expect(errors).toHaveLength(1);
    expect(errors![0]!.path).toBe('body.url');
    expect(message).toBe(`The webhook URL is refused: ${errors![0]!.message}.`);
    return errors![0]!.message;
  }
}

describe('isPublicAddress', () => {
  it('admits global unicast addresses, IPv4-mapped ones judged as IPv4', () => {
    for (const a of [PUBLIC_IP, '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8']) {
      expect(isPublicAddress(a), a).toBe(true);
    }
  });

  it('refuses loopback, private, link-local, mapped private and non-addresses', () => {
    for (const a of ['127.0.0.1', '10.0.0.1', '::1', '::ffff:127.0.0.1', '169.254.169.254', 'fd00::2', '']) {
      expect(isPublicAddress(a), a).toBe(false);
    }
    expect(isPublicAddress('example.com')).toBe(false);
  });
});

describe('the registration-time URL guard', () => {
  const dev = createUrlGuard({ allowPrivate: false, requireHttps: false, resolve: resolveHost });
  const production = createUrlGuard({ allowPrivate: false, requireHttps: true, resolve: resolveHost });

  it('admits http and https in development, only https in production', async () => {
    expect(await refusal(dev.assertAllowed('http://hooks.partner.example/x'))).toBeNull();
    expect(await refusal(dev.assertAllowed('https://hooks.partner.example/x'))).toBeNull();
    expect(await refusal(production.assertAllowed('https://hooks.partner.example/x'))).toBeNull();
    expect(await refusal(production.assertAllowed('http://hooks.partner.example/x'))).toBe(
      'https is required',
    );
    expect(await refusal(production.assertAllowed('ftp://hooks.partner.example/x'))).toBe(
      'https is required',
    );
  });

  it('refuses other schemes in development too (ftp:, file:)', async () => {
    for (const url of [
      'ftp://hooks.partner.example/x',
      'file:///etc/passwd',
      'ws://hooks.partner.example/',
    ]) {
      expect(await refusal(dev.assertAllowed(url)), url).toBe('only http and https are allowed');
    }
  });

  it('refuses what is not a URL', async () => {
    expect(await refusal(dev.assertAllowed('hooks.partner.example/x'))).toBe('not a valid URL');
  });

  it('refuses a user name alone, a password alone, or both in the URL, even when private URLs are allowed', async () => {
    const open = createUrlGuard({ allowPrivate: true, requireHttps: false, resolve: resolveHost });
    for (const url of [
      'https://user@hooks.partner.example/',
      'https://:secret@hooks.partner.example/',
      'https://user:secret@hooks.partner.example/',
    ]) {
      expect(await refusal(production.assertAllowed(url)), url).toBe(
        'credentials in the URL are not allowed',
      );
      expect(await refusal(open.assertAllowed(url)), url).toBe('credentials in the URL are not allowed');
    }
  });

  it('judges a literal address without resolving it (IPv4, bracketed IPv6, integer IPv4)', async () => {
    const literal = createUrlGuard({ allowPrivate: false, requireHttps: false, resolve: mustNotResolve });
    expect(await refusal(literal.assertAllowed(`http://${PUBLIC_IP}:8080/x`))).toBeNull();
    expect(await refusal(literal.assertAllowed('http://[2606:4700::1111]/x'))).toBeNull();
    expect(await refusal(literal.assertAllowed('http://[::1]/x'))).toBe('::1 is not a public address');
    expect(await refusal(literal.assertAllowed('http://2130706433/x'))).toBe(
      '127.0.0.1 is not a public address',
    );
    expect(await refusal(literal.assertAllowed('http://[::ffff:a00:1]/x'))).toBe(
      '::ffff:a00:1 is not a public address',
    );
  });

  it('admits private addresses only when told to (the dev platform)', async () => {
    const open = createUrlGuard({ allowPrivate: true, requireHttps: false, resolve: mustNotResolve });
    expect(await refusal(open.assertAllowed('http://127.0.0.1:9/hook'))).toBeNull();
    expect(await refusal(open.assertAllowed('http://internal.partner.example/hook'))).toBeNull();
  });

  it('requires a name to resolve, to some address, and only to public ones', async () => {
    expect(await refusal(dev.assertAllowed('https://v6.partner.example/'))).toBeNull();
    expect(await refusal(dev.assertAllowed('https://nowhere.partner.example/'))).toBe(
      'nowhere.partner.example does not resolve',
    );
    expect(await refusal(dev.assertAllowed('https://empty.partner.example/'))).toBe(
      'empty.partner.example does not resolve',
    );
    expect(await refusal(dev.assertAllowed('https://mixed.partner.example/'))).toBe(
      'mixed.partner.example resolves to 10.1.2.3, which is not a public address',
    );
  });

  it('resolves with the system resolver by default: localhost is refused as loopback', async () => {
    const system = createUrlGuard({ allowPrivate: false, requireHttps: false });
    expect(await refusal(system.assertAllowed('http://localhost/'))).toMatch(
      /^localhost resolves to (127\.0\.0\.1|::1), which is not a public address$/,
    );
    const addresses = await resolveWithSystem('localhost');
    expect(Array.isArray(addresses)).toBe(true);
    expect(addresses.map((a) => a.address)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^(127\.|::1)/)]),
    );
  });
});

describe('the guarded lookup', () => {
  const lookup = (hostname: string, options: { all?: boolean }, resolve: ResolveHost = resolveHost) =>
    new Promise<{ error: NodeJS.ErrnoException | null; address: unknown; family?: number }>((done) => {
      createGuardedLookup(resolve)(hostname, options, (error, address, family) =>
        done({ error, address, family }),
      );
    });

  it('answers with the first address, or every address when asked for all', async () => {
    expect(await lookup('v6.partner.example', {})).toEqual({
      error: null,
      address: '2606:4700::1111',
      family: 6,
    });
    expect(await lookup('hooks.partner.example', { all: true })).toEqual({
      error: null,
      address: NAMES['hooks.partner.example'],
      family: undefined,
    });
  });

  it('fails when any address is not public, when there is none, and when the name does not resolve', async () => {
    const mixed = await lookup('mixed.partner.example', { all: true });
    expect(mixed.error).toBeInstanceOf(PrivateAddressError);
    expect(mixed.error).toMatchObject({
      code: 'EPRIVATEADDRESS',
      name: 'PrivateAddressError',
      message: 'refused to connect to mixed.partner.example: 10.1.2.3 is not a public address',
    });
    const empty = await lookup('empty.partner.example', {});
    expect(empty.error).toBeInstanceOf(PrivateAddressError);
    expect(empty.error!.message).toBe(
      'refused to connect to empty.partner.example: no address is not a public address',
    );
    const missing = await lookup('nowhere.partner.example', {});
    expect(missing.error).toMatchObject({ code: 'ENOTFOUND' });
  });

  it('uses the system resolver by default', async () => {
    const local = await new Promise<NodeJS.ErrnoException | null>((done) => {
      createGuardedLookup()('localhost', {}, (error) => done(error));
    });
    expect(local).toBeInstanceOf(PrivateAddressError);
  });
});

describe('the guarded dispatcher, against a real local receiver', () => {
  let server: Server;
  let port: number;
  const seen: string[] = [];
  // The receiver listens on 127.0.0.1; this policy treats exactly that address as a partner's public one.
  const receiverOnly = (address: string) => address === '127.0.0.1';

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.headers.host}`);
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function post(url: string, dispatcher: ReturnType<typeof createGuardedDispatcher>) {
    try {
      const res = await request(url, { method: 'POST', body: '{}', dispatcher });
      return { status: res.statusCode, body: await res.body.text() };
    } catch (error) {
      return { error };
    } finally {
      await dispatcher.close();
    }
  }

  it('connects through the guard to an allowed name and an allowed literal address', async () => {
    const guarded = () =>
      createGuardedDispatcher({ allowPrivate: false, resolve: resolveHost, isAllowed: receiverOnly });
    expect(await post(`http://receiver.partner.example:${port}/hook`, guarded())).toEqual({
      status: 200,
      body: 'ok',
    });
    expect(await post(`http://127.0.0.1:${port}/hook`, guarded())).toEqual({ status: 200, body: 'ok' });
    expect(seen.splice(0)).toEqual([`POST receiver.partner.example:${port}`, `POST 127.0.0.1:${port}`]);
  });

  it('refuses a literal or a resolved address outside the policy before connecting', async () => {
    const guarded = () =>
      createGuardedDispatcher({ allowPrivate: false, resolve: resolveHost, isAllowed: receiverOnly });
    const literal = await post(`http://127.0.0.2:${port}/hook`, guarded());
    expect(literal.error).toBeInstanceOf(PrivateAddressError);
    expect((literal.error as Error).message).toBe(
      'refused to connect to 127.0.0.2: 127.0.0.2 is not a public address',
    );
    const mixed = await post(`http://mixed.partner.example:${port}/hook`, guarded());
    expect(mixed.error).toBeInstanceOf(PrivateAddressError);
    // The default policy is isPublicAddress: the receiver's loopback address is refused.
    const byDefault = createGuardedDispatcher({ allowPrivate: false, resolve: resolveHost });
    expect((await post(`http://receiver.partner.example:${port}/hook`, byDefault)).error).toBeInstanceOf(
      PrivateAddressError,
    );
    const literalByDefault = createGuardedDispatcher({ allowPrivate: false, resolve: resolveHost });
    expect((await post(`http://127.0.0.1:${port}/hook`, literalByDefault)).error).toBeInstanceOf(
      PrivateAddressError,
    );
    expect(seen).toEqual([]);
  });

  it('is a plain agent when private receivers are allowed', async () => {
    const open = createGuardedDispatcher({ allowPrivate: true, resolve: mustNotResolve });
    expect(await post(`http://127.0.0.1:${port}/hook`, open)).toEqual({ status: 200, body: 'ok' });
    expect(seen.splice(0)).toEqual([`POST 127.0.0.1:${port}`]);
  });

  it('gives up a TLS handshake that never ends after the connect timeout, private receivers allowed too', async () => {
    // Accepts TCP and never answers the TLS client hello.
    const silent = createNetServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as AddressInfo).port;
    try {
      const open = createGuardedDispatcher({ allowPrivate: true, connectTimeoutMs: 200 });
      const started = Date.now();
      const result = await post(`https://127.0.0.1:${silentPort}/hook`, open);
      expect(result.error).toMatchObject({ code: 'UND_ERR_CONNECT_TIMEOUT' });
      expect(Date.now() - started).toBeLessThan(8_000);
    } finally {
      silent.close();
    }
  });

  it('gives up connecting after the connect timeout', async () => {
    const hang: ResolveHost = () => new Promise(() => {});
    const slow = createGuardedDispatcher({ allowPrivate: false, resolve: hang, connectTimeoutMs: 200 });
    const started = Date.now();
    const result = await post(`http://hooks.partner.example:${port}/hook`, slow);
    expect(result.error).toMatchObject({ code: 'UND_ERR_CONNECT_TIMEOUT' });
    // Far below undici's 10 s default, whatever the load on the machine.
    expect(Date.now() - started).toBeLessThan(8_000);
  });
});
