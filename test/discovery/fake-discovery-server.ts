// Test support: a scriptable discovery service on 127.0.0.1:0 (node:http) speaking just the
// etcd v2 subset the discovery client uses on one token: size, listing with X-Etcd-Index,
// create-only PUT (201 / 412+105), and watches answered from history or long-polled. Faults
// are injected per request by `intercept`; `requests` records every request line.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeEvent { action: string; key: string; value?: string; index: number; dir?: boolean }

/** Return true when the interceptor answered the request itself. */
export type Interceptor = (req: IncomingMessage, res: ServerResponse, n: number) => boolean;

export class FakeDiscoveryServer {
  readonly token = '0123456789abcdef0123456789abcdef';
  readonly requests: string[] = [];
  size: string | null;
  index = 5;
  intercept: Interceptor | null = null;
  /** Called when a member PUT arrives, before it is applied (to stage races). */
  beforeCreate: ((id: string) => void) | null = null;
  private readonly nodes = new Map<string, { value: string; createdIndex: number }>();
  private readonly history: FakeEvent[] = [];
  private waiters: { since: number; recursive: boolean; key: string; res: ServerResponse }[] = [];
  private readonly server: Server;
  private port = 0;

  constructor(size: string | null = '3') {
    this.size = size;
    this.server = createServer((req, res) => this.handle(req, res));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const w of this.waiters) w.res.destroy();
    this.waiters = [];
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get tokenUrl(): string {
    return `${this.base}/${this.token}`;
  }

  /** Registers a member as another process would. */
  register(id: string, value: string): number {
    const index = ++this.index;
    this.nodes.set(id, { value, createdIndex: index });
    this.emit({ action: 'create', key: `/_etcd/registry/${this.token}/${id}`, value, index });
    return index;
  }

  /** Deletes the whole token (as a TTL expiry would). */
  expireToken(): void {
    const index = ++this.index;
    this.nodes.clear();
    this.emit({ action: 'expire', key: `/_etcd/registry/${this.token}`, index, dir: true });
  }

  registered(): string[] {
    return [...this.nodes.keys()];
  }

  private emit(event: FakeEvent): void {
    this.history.push(event);
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) {
      if (!this.deliver(w, event)) this.waiters.push(w);
    }
  }

  private deliver(w: { since: number; recursive: boolean; key: string; res: ServerResponse }, e: FakeEvent): boolean {
    const matches = e.index >= w.since && (e.key === w.key || (w.recursive && e.key.startsWith(`${w.key}/`))
      || (e.dir === true && w.key.startsWith(`${e.key}/`)) || (e.dir === true && e.key === w.key));
    if (!matches) return false;
    const node: Record<string, unknown> = { key: e.key, modifiedIndex: e.index, createdIndex: e.index };
    if (e.value !== undefined) node['value'] = e.value;
    if (e.dir === true) node['dir'] = true;
    json(w.res, 200, { action: e.action, node }, this.index);
    return true;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const n = this.requests.push(`${req.method} ${req.url}`);
    if (this.intercept !== null && this.intercept(req, res, n)) return;
    const url = new URL(req.url ?? '/', this.base);
    const prefix = `/${this.token}`;
    if (!url.pathname.startsWith(prefix)) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
      return;
    }
    const rest = url.pathname.slice(prefix.length).replace(/^\//, '');
    const dirKey = `/_etcd/registry/${this.token}`;
    if (url.searchParams.get('wait') === 'true') {
      const w = { since: Number(url.searchParams.get('waitIndex') ?? 0), recursive: url.searchParams.get('recursive') === 'true',
        key: rest === '' ? dirKey : `${dirKey}/${rest}`, res };
      const past = this.history.find((e) => this.wouldMatch(w, e));
      if (past !== undefined) this.deliver(w, past);
      else this.waiters.push(w);
      return;
    }
    if (req.method === 'GET' && rest === '_config/size') {
      if (this.size === null) return json(res, 404, { errorCode: 100, message: 'Key not found', cause: `${dirKey}/_config`, index: this.index }, this.index);
      return json(res, 200, { action: 'get', node: { key: `${dirKey}/_config/size`, value: this.size, modifiedIndex: 4, createdIndex: 4 } }, this.index);
    }
    if (req.method === 'GET' && rest === '') {
      const nodes = [...this.nodes].map(([id, r]) => ({ key: `${dirKey}/${id}`, value: r.value, modifiedIndex: r.createdIndex, createdIndex: r.createdIndex }));
      const node: Record<string, unknown> = { key: dirKey, dir: true, modifiedIndex: 4, createdIndex: 4 };
      if (nodes.length > 0) node['nodes'] = nodes.reverse(); // order must not matter
      return json(res, 200, { action: 'get', node }, this.index);
    }
    if (req.method === 'PUT' && rest !== '' && url.searchParams.get('prevExist') === 'false') {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        this.beforeCreate?.(rest);
        if (this.nodes.has(rest)) {
          return json(res, 412, { errorCode: 105, message: 'Key already exists', cause: `${dirKey}/${rest}`, index: this.index }, this.index);
        }
        const value = new URLSearchParams(body).get('value') ?? '';
        const index = this.register(rest, value);
        json(res, 201, { action: 'create', node: { key: `${dirKey}/${rest}`, value, modifiedIndex: index, createdIndex: index } }, this.index);
      });
      return;
    }
    res.writeHead(405).end();
  }

  private wouldMatch(w: { since: number; recursive: boolean; key: string }, e: FakeEvent): boolean {
    return e.index >= w.since && (e.key === w.key || (w.recursive && e.key.startsWith(`${w.key}/`)));
  }
}

function json(res: ServerResponse, status: number, body: unknown, index: number): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-etcd-index': String(index) });
  res.end(JSON.stringify(body) + '\n');
}
