/**
 * Why a request got no answer, from the system error code Node's fetch (undici) puts in the
 * error's `cause` chain: "fetch failed" alone tells an admin nothing. The code itself is kept,
 * so it can be looked up and matched with the server's own logs.
 */
export type NetworkCause = { kind: 'dns' | 'tls' | 'refused' | 'reset' | 'timeout' | 'other'; code: string | undefined };

const TLS_CODE = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH)/;

/** The first system error code in the `cause` chain (at most a few levels deep). */
function codeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function networkCause(error: unknown): NetworkCause {
  const code = codeOf(error);
  if (!code) return { kind: 'other', code };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return { kind: 'dns', code };
  if (TLS_CODE.test(code)) return { kind: 'tls', code };
  if (code === 'ECONNREFUSED') return { kind: 'refused', code };
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET') return { kind: 'reset', code };
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return { kind: 'timeout', code };
  return { kind: 'other', code };
}

/** The cause in words, for "X (host) could not be reached: <this>." */
export function describeNetworkCause(cause: NetworkCause, host: string): string {
  switch (cause.kind) {
    case 'dns':
      return `the name ${host} does not resolve (DNS). Check the host name in the settings, and the server’s DNS`;
    case 'tls':
      return (
        `the secure connection failed: the server’s certificate is not trusted (${cause.code}). A proxy that inspects HTTPS needs its ` +
        'CA certificate added with NODE_EXTRA_CA_CERTS; otherwise check the host name and the server’s clock'
      );
    case 'refused':
      return `nothing accepts connections at ${host} (connection refused). Check the host and port, and any proxy or firewall`;
    case 'reset':
      return `the connection to ${host} was cut (${cause.code}), often by a proxy or firewall. Try again, then check the network path`;
    case 'timeout':
      return `no connection to ${host} could be made in time (${cause.code}). Check the firewall and proxy`;
    default:
      return `no connection could be made${cause.code ? ` (${cause.code})` : ''}. Check the server’s internet access, proxy and DNS`;
  }
}
