import { BlockList, isIP } from 'node:net';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.js';

/** The Node adapter's bindings (`@hono/node-server` passes the incoming message as `c.env.incoming`). */
type NodeBindings = { incoming?: { socket?: { remoteAddress?: string } }; server?: NodeBindings } | undefined;

/** `::ffff:192.0.2.1` (IPv4 on a dual-stack socket) is `192.0.2.1`. */
const plain = (address: string) => (address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address);

export type ClientAddressResolver = (c: Context) => string;

/**
 * Which client a request comes from, for the sign-in throttle. The socket's peer address, unless
 * that peer is one of the configured reverse proxies: then X-Forwarded-For is read from the right,
 * skipping our own proxies, and the first address they did not add is the client. A header from
 * anyone else is ignored, so a client cannot pick its own address (and dodge or aim the throttle)
 * by sending one. `unknown` when the request did not come through a socket (in-process tests).
 */
export function createClientAddressResolver(trustedProxies: readonly string[]): ClientAddressResolver {
  const trusted = new BlockList();
  for (const entry of trustedProxies) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) trusted.addAddress(address, family);
    else trusted.addSubnet(address, Number(prefix), family);
  }
  const isTrusted = (address: string) => {
    const family = isIP(address);
    return family !== 0 && trustedProxies.length > 0 && trusted.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };

  return (c) => {
    const bindings = c.env as NodeBindings;
    const peer = (bindings?.server ?? bindings)?.incoming?.socket?.remoteAddress;
    if (!peer) return 'unknown';
    let client = plain(peer);
    if (!isTrusted(client)) return client;
    const hops = (c.req.header('x-forwarded-for') ?? '')
      .split(',')
      .map((hop) => plain(hop.trim()))
      .filter((hop) => isIP(hop) !== 0);
    for (let i = hops.length - 1; i >= 0; i--) {
      client = hops[i]!;
      if (!isTrusted(client)) break;
    }
    return client;
  };
}

const resolvers = new WeakMap<readonly string[], ClientAddressResolver>();

/** The client address of a request to this app, with the configured proxies (built once per configuration). */
export function clientAddress(c: Context<AppEnv>): string {
  const proxies = c.get('services').config.trustedProxies ?? [];
  let resolver = resolvers.get(proxies);
  if (!resolver) {
    resolver = createClientAddressResolver(proxies);
    resolvers.set(proxies, resolver);
  }
  return resolver(c);
}
