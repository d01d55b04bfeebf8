// Forwarded requests awaiting their response on one outbound connection: ID allocation,
// per-request timeout, and failing all of them when the connection goes away.
// Imports only src/lib and peer-codec types; no sockets.

import { assert } from '../lib/assert.js';
import { KvdError } from '../lib/errors.js';
import type { ForwardResponse } from './peer-codec.js';

interface Pending {
  readonly resolve: (payload: Uint8Array) => void;
  readonly reject: (error: KvdError) => void;
  readonly timer: NodeJS.Timeout;
}

export class PendingRequests {
  private readonly pending = new Map<number, Pending>();
  private lastId = 0;

  get size(): number {
    return this.pending.size;
  }

  /** Registers a new request; returns its ID and the promise of its answer. */
  add(timeoutMs: number, what: string): { id: number; answer: Promise<Uint8Array> } {
    assert(timeoutMs >= 0, () => `request timeout ${timeoutMs} < 0`);
    const id = ++this.lastId;
    assert(!this.pending.has(id), () => `request id ${id} reused`);
    const answer = new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new KvdError('KVD_ERR_REQUEST_TIMEOUT', `${what} after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
    });
    return { id, answer };
  }

  /** Settles the request `response` answers; false when it is unknown (late or bogus). */
  settle(response: ForwardResponse): boolean {
    const entry = this.pending.get(response.id);
    if (entry === undefined) return false;
    this.pending.delete(response.id);
    clearTimeout(entry.timer);
    if (response.error === '') entry.resolve(response.payload);
    else entry.reject(new KvdError('KVD_ERR_REQUEST_FAILED', response.error));
    return true;
  }

  fail(id: number, error: KvdError): void {
    const entry = this.pending.get(id);
    if (entry === undefined) return;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    entry.reject(error);
  }

  failAll(error: KvdError): void {
    for (const id of [...this.pending.keys()]) this.fail(id, error);
    assert(this.pending.size === 0, 'pending requests left after failAll');
  }
}
