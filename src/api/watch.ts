// Watches over HTTP (GET wait=true): a long poll answers 200 with its headers at once and one
// event later; a stream (stream=true) sends one JSON event per chunk until the client leaves,
// passing the socket's backpressure back to the watcher. A client that goes away cancels its
// watcher; closing the app ends every session. Imports the backend seam and v2-reply.

import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import { assert } from '../lib/assert.js';
import { V2Error, type WatchDelivery, type Watcher } from '../store/v2/index.js';
import type { KeysBackend } from './keys-backend.js';
import type { KeysParams } from './v2-params.js';
import { keysHeaders, sendV2Error } from './v2-reply.js';

/** The open watch sessions of one app, so that closing the app can end them. */
export class WatchSessions {
  private readonly open = new Set<WatchSession>();

  get count(): number {
    return this.open.size;
  }

  add(session: WatchSession): void {
    this.open.add(session);
  }

  delete(session: WatchSession): void {
    this.open.delete(session);
  }

  /** Ends every session (the app is closing): watchers cancelled, responses ended. */
  endAll(): void {
    for (const session of [...this.open]) session.close();
    assert(this.open.size === 0, () => `${this.open.size} watch sessions left open`);
  }
}

/**
 * Starts a watch for a parsed GET wait=true. Answers an error (401, limits) as a plain etcd
 * error; otherwise takes the response over from fastify.
 */
export function startWatch(
  reply: FastifyReply,
  backend: KeysBackend,
  params: KeysParams,
  sessions: WatchSessions,
): FastifyReply {
  assert(params.wait && !params.quorum, 'startWatch for a wait without quorum');
  const startIndex = backend.etcdIndex();
  const session = new WatchSession(reply.raw, params.stream, sessions);
  const watcher = backend.watch(
    {
      path: params.key,
      recursive: params.recursive,
      sinceIndex: params.waitIndex,
      stream: params.stream,
    },
    (delivery) => session.deliver(delivery),
  );
  if (watcher instanceof V2Error) {
    assert(session.deliveredCount === 0, 'a refused watch delivered nothing');
    return sendV2Error(reply, backend, watcher);
  }
  const headers = { ...headersOf(reply), ...keysHeaders(backend, startIndex, true) };
  reply.hijack();
  session.open(watcher, headers);
  return reply;
}

function headersOf(reply: FastifyReply): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (typeof value === 'string') headers[name] = value;
  }
  return headers;
}

/** One watch's response: deliveries before the head is written wait in `early`. */
class WatchSession {
  private readonly response: ServerResponse;
  private readonly stream: boolean;
  private readonly sessions: WatchSessions;
  private watcher: Watcher | null = null;
  /** Deliveries made while backend.watch was still registering (answers from history). */
  private readonly early: WatchDelivery[] = [];
  private ended = false;
  private delivered = 0;

  constructor(response: ServerResponse, stream: boolean, sessions: WatchSessions) {
    this.response = response;
    this.stream = stream;
    this.sessions = sessions;
  }

  get deliveredCount(): number {
    return this.delivered;
  }

  /** Writes the head at once (etcd answers 200 before any event), then any early deliveries. */
  open(watcher: Watcher, headers: Record<string, string>): void {
    assert(this.watcher === null, 'a watch session opens once');
    this.watcher = watcher;
    this.sessions.add(this);
    this.response.on('close', () => this.close());
    this.response.writeHead(200, headers);
    this.response.flushHeaders();
    const early = this.early.splice(0);
    for (const delivery of early) this.write(delivery);
  }

  /** The watcher's callback: returns false to ask the watcher to hold further events. */
  deliver(delivery: WatchDelivery): boolean {
    this.delivered++;
    if (this.watcher === null) {
      this.early.push(delivery);
      return true;
    }
    return this.write(delivery);
  }

  /** Ends the session: cancels the watcher (no-op once ended) and ends the response. */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.sessions.delete(this);
    this.watcher?.cancel();
    if (!this.response.writableEnded) this.response.end();
  }

  private write(delivery: WatchDelivery): boolean {
    if (this.ended) return true;
    if (delivery instanceof V2Error || !this.stream) {
      this.response.write(delivery.json + '\n');
      this.close();
      return true;
    }
    const flowing = this.response.write(delivery.json + '\n');
    if (!flowing) this.response.once('drain', () => this.watcher?.resume());
    return flowing;
  }
}
