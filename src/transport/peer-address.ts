// Parsing of peer URLs. Peers are named like etcd's: http://127.0.0.1:2380; the http scheme
// selects plain TCP (no TLS yet), so anything else is refused with a clear error. PURE.
// Imports only src/lib.

import { KvdError } from '../lib/errors.js';

export interface PeerAddress {
  /** The URL as given. */
  readonly url: string;
  /** Host name or IP, IPv6 without brackets. */
  readonly host: string;
  readonly port: number;
}

/** Parses `http://host:port` (port 80 when omitted). Port 0 only with `allowPortZero`. */
export function parsePeerAddress(
  url: string,
  options: { allowPortZero?: boolean } = {},
): PeerAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(url, 'not a URL');
  }
  if (parsed.protocol === 'https:') throw invalid(url, 'https (TLS) is not supported, use http://');
  if (parsed.protocol !== 'http:') throw invalid(url, `scheme ${parsed.protocol} is not http:`);
  if (parsed.username !== '' || parsed.password !== '') throw invalid(url, 'has credentials');
  if (parsed.pathname !== '/' || parsed.search !== '' || parsed.hash !== '') {
    throw invalid(url, 'has a path, query or fragment');
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw invalid(url, 'has no host');
  const port = parsed.port === '' ? 80 : Number(parsed.port);
  if (port === 0 && options.allowPortZero !== true)
    throw invalid(url, 'port 0 is only for listening');
  return { url, host, port };
}

/** The http:// URL for a host and port (IPv6 in brackets). */
export function formatPeerUrl(host: string, port: number): string {
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

function invalid(url: string, why: string): KvdError {
  return new KvdError('KVD_ERR_PEER_ADDRESS_INVALID', `${JSON.stringify(url)}: ${why}`);
}
