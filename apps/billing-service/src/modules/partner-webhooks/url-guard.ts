import dns, { type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { ValidationError } from '@mna/shared';
import ipaddr from 'ipaddr.js';
import { Agent, buildConnector } from 'undici';

/** Resolves a host name to every address it has (dns.lookup with `all`, or a test's stand-in). */
export type ResolveHost = (hostname: string) => Promise<LookupAddress[]>;

export const resolveWithSystem: ResolveHost = (hostname) =>
  dns.promises.lookup(hostname, { all: true, verbatim: true });

/**
 * True only for global unicast addresses. Loopback, private (RFC 1918, IPv6 unique local, which holds
 * the AWS metadata address fd00:ec2::254), link-local (169.254.169.254 included), CGNAT, unspecified,
 * multicast, broadcast, reserved and documentation ranges are refused, as are IPv6 forms that embed
 * an IPv4 address (NAT64, 6to4, Teredo); an IPv4-mapped IPv6 address is judged as its IPv4 address.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

/**
 * Which addresses a delivery may connect to: `isPublicAddress` in every deployment. Tests pass a policy
 * that admits their own local receiver, so the guard is seen letting a connection through.
 */
export type AddressPolicy = (address: string) => boolean;

/** Refused at send time: the error a delivery attempt records. */
export class PrivateAddressError extends Error {
  readonly code = 'EPRIVATEADDRESS';
  constructor(host: string, address: string) {
    super(`refused to connect to ${host}: ${address} is not a public address`);
    this.name = 'PrivateAddressError';
  }
}

const bare = (hostname: string) => hostname.replace(/^\[|\]$/g, '');
const literalAddress = (hostname: string) => (ipaddr.isValid(bare(hostname)) ? bare(hostname) : null);

export type UrlGuardOptions = {
  /** Tests and the dev platform (config WEBHOOK_ALLOW_PRIVATE_URLS, refused in production). */
  allowPrivate: boolean;
  /** NODE_ENV=production: only https URLs. */
  requireHttps: boolean;
  resolve?: ResolveHost;
};

/**
 * Registration-time check of a partner URL. The WHATWG parser has already normalised decimal, octal
 * and hex IPv4 forms (`http://2130706433` is 127.0.0.1); a host name must resolve, and every address
 * it resolves to must be public. Refusals are 400 problem+json naming `body.url`.
 */
export function createUrlGuard(options: UrlGuardOptions) {
  const resolve = options.resolve ?? resolveWithSystem;
  const refuse = (message: string): never => {
    throw new ValidationError(`The webhook URL is refused: ${message}.`, [{ path: 'body.url', message }]);
  };
  return {
    async assertAllowed(raw: string): Promise<void> {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        return refuse('not a valid URL');
      }
      if (url.protocol !== 'https:' && (options.requireHttps || url.protocol !== 'http:')) {
        refuse(options.requireHttps ? 'https is required' : 'only http and https are allowed');
      }
      if (url.username || url.password) refuse('credentials in the URL are not allowed');
      if (options.allowPrivate) return;
      const literal = literalAddress(url.hostname);
      if (literal) {
        if (!isPublicAddress(literal)) refuse(`${literal} is not a public address`);
        return;
      }
      let addresses: LookupAddress[];
      try {
        addresses = await resolve(url.hostname);
      } catch {
        return refuse(`${url.hostname} does not resolve`);
      }
      if (addresses.length === 0) refuse(`${url.hostname} does not resolve`);
      const blocked = addresses.find((a) => !isPublicAddress(a.address));
      if (blocked) refuse(`${url.hostname} resolves to ${blocked.address}, which is not a public address`);
    },
  };
}
export type UrlGuard = ReturnType<typeof createUrlGuard>;

/**
 * A `connect.lookup` for sockets to partner endpoints: resolves every address and fails the connection
 * when any is not public, so a name that re-points to a private address after registration (DNS
 * rebinding) still cannot be reached.
 */
export function createGuardedLookup(
  resolve: ResolveHost = resolveWithSystem,
  isAllowed: AddressPolicy = isPublicAddress,
): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const blocked = addresses.find((a) => !isAllowed(a.address));
        if (blocked || addresses.length === 0) {
          const error = new PrivateAddressError(hostname, blocked?.address ?? 'no address');
          callback(error, '', 0);
        } else if (options.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}

/**
 * The undici dispatcher deliveries go through: literal private IPs are refused before connecting
 * (Node skips the lookup for them) and host names go through the guarded lookup. With `allowPrivate`
 * (tests, dev platform) it is a plain agent.
 */
export function createGuardedDispatcher(options: {
  allowPrivate: boolean;
  resolve?: ResolveHost;
  /** Which addresses may be connected to; only tests narrow or widen it. */
  isAllowed?: AddressPolicy;
  connectTimeoutMs?: number;
}): Agent {
  const timeout = options.connectTimeoutMs ?? 10_000;
  if (options.allowPrivate) return new Agent({ connect: { timeout } });
  const isAllowed = options.isAllowed ?? isPublicAddress;
  const connect = buildConnector({ timeout, lookup: createGuardedLookup(options.resolve, isAllowed) });
  return new Agent({
    connect: (opts, callback) => {
      const literal = literalAddress(opts.hostname);
      if (literal && !isAllowed(literal)) {
        callback(new PrivateAddressError(opts.hostname, literal), null);
        return;
      }
      connect(opts, callback);
    },
  });
}
