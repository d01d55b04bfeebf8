// Asking a discovery service for a new token (kvctl's `discovery new`): GET <service>/new?size=N
// and return the token URL it prints. Works against kvd and discovery.etcd.io alike.

export interface NewTokenAnswer {
  readonly ok: boolean;
  /** The token URL when ok, else the service's message. */
  readonly text: string;
  readonly status: number;
}

export async function requestNewToken(
  serviceUrl: string, size: number, timeoutMs = 5000,
): Promise<NewTokenAnswer> {
  const url = `${serviceUrl.replace(/\/+$/, '')}/new?size=${encodeURIComponent(String(size))}`;
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const text = (await response.text()).trim();
  return { ok: response.status === 200, text, status: response.status };
}
