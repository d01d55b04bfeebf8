// DiscoveryError: the edge errors of token discovery (src/discovery/), each a stable
// KVD_ERR_DISCOVERY_* code plus a one-paragraph message for the operator. Callers test `.code`.
// Kept here until src/lib/errors.ts takes the codes into its registry. Imports nothing.

export const discoveryErrorCodes = {
  KVD_ERR_DISCOVERY_FULL: 'the token already lists all the members it was made for',
  KVD_ERR_DISCOVERY_TOKEN_USED: 'this member is already registered in the token',
  KVD_ERR_DISCOVERY_DUPLICATE: 'two registrations share a name or a peer URL',
  KVD_ERR_DISCOVERY_BAD_SIZE: 'the token size is not a whole number of at least 1',
  KVD_ERR_DISCOVERY_BAD_REGISTRATION: 'a registration is not name=peerURL',
  KVD_ERR_DISCOVERY_UNREACHABLE: 'the discovery service stayed unreachable past the timeout',
  KVD_ERR_DISCOVERY_NOT_A_SERVICE: 'the URL does not answer like an etcd v2 keys API',
  KVD_ERR_DISCOVERY_NO_TOKEN: 'the token does not exist',
  KVD_ERR_DISCOVERY_REFUSED: 'the discovery service answered with an etcd error',
  KVD_ERR_DISCOVERY_DATA_DIR: 'the data dir belongs to another cluster',
} as const;

export type DiscoveryErrorCode = keyof typeof discoveryErrorCodes;

export class DiscoveryError extends Error {
  override readonly name = 'DiscoveryError';
  readonly code: DiscoveryErrorCode;

  /** `paragraph` is the whole operator-facing explanation, starting with "discovery: ". */
  constructor(code: DiscoveryErrorCode, paragraph: string) {
    super(paragraph);
    this.code = code;
  }
}

export function isDiscoveryError(
  error: unknown, code?: DiscoveryErrorCode,
): error is DiscoveryError {
  return error instanceof DiscoveryError && (code === undefined || error.code === code);
}
