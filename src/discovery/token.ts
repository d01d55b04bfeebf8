// Creating a discovery token in this cluster's own v2 keyspace: the hidden directory
// /_etcd/registry/<token> (with a TTL) holding `_config/size`, both created with prevExist=false
// through the KeysBackend. Also the token URL and the `size` request parameter. No HTTP here.
import { randomBytes } from 'node:crypto';
import type { KeysBackend } from '../api/keys-backend.js';
import { isV2Error, type V2Error } from '../store/v2/index.js';

/** Where tokens live in the keyspace; hidden (leading '_'), as etcd's discovery service uses. */
export const registryPrefix = '/_etcd/registry';
/** The path, below a kvd client URL, of the token directories (the token URL's base). */
export const registryUrlPath = `/v2/keys${registryPrefix}`;
export const tokenSizeDefault = 3;
export const tokenSizeMin = 1;
export const tokenSizeMax = 99;

/** A new token: 32 lowercase hex characters from 16 random bytes. */
export function newTokenId(): string {
  return randomBytes(16).toString('hex');
}

/** The URL members are given as --discovery: <client URL>/v2/keys/_etcd/registry/<token>. */
export function tokenUrl(clientUrl: string, token: string): string {
  return `${clientUrl.replace(/\/+$/, '')}${registryUrlPath}/${token}`;
}

/** The size asked for (absent or empty: the default), or a message for a 400 answer. */
export function parseRequestedSize(text: string | undefined): number | string {
  if (text === undefined || text === '') return tokenSizeDefault;
  const n = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
  if (n >= tokenSizeMin && n <= tokenSizeMax) return n;
  return `size must be a whole number from ${tokenSizeMin} to ${tokenSizeMax} `
    + `(the number of members the token bootstraps), got "${text}"\n`;
}

export interface CreateTokenOptions {
  readonly size: number;
  readonly ttlSeconds: number;
  /** Tests pass a fixed token; default: newTokenId(). */
  readonly token?: string;
}

/** Creates the token directory and its size; resolves to the token or the write's V2Error. */
export async function createToken(
  backend: KeysBackend,
  options: CreateTokenOptions,
): Promise<{ ok: true; token: string } | { ok: false; error: V2Error }> {
  const token = options.token ?? newTokenId();
  const dir = `${registryPrefix}/${token}`;
  const made = await backend.write({
    method: 'PUT', path: dir, dir: true, ttlSeconds: options.ttlSeconds, prevExist: false,
  });
  if (isV2Error(made)) return { ok: false, error: made };
  const sized = await backend.write({
    method: 'PUT', path: `${dir}/_config/size`, value: String(options.size), prevExist: false,
  });
  if (isV2Error(sized)) {
    // Best effort: a token without a size is useless; its TTL removes it anyway.
    await backend.write({ method: 'DELETE', path: dir, dir: true, recursive: true });
    return { ok: false, error: sized };
  }
  return { ok: true, token };
}
