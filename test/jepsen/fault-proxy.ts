// A TCP fault proxy for kvd peer links, so partitions need no root: one listener per member at
// the peer URL it advertises, forwarding to where it really listens. It reads the dialer's
// Handshake frame to learn who dialed, so each directed link A→B has its own fault: pass,
// blackhole (bytes vanish, connections stay open), reset (cut, new ones refused), delay.
// Test-only; imports src/transport's codecs to read handshakes, nothing else of kvd.
import net from 'node:net';
import { FrameDecoder } from '../../src/transport/frame-codec.js';
import { decodePeerFrame } from '../../src/transport/peer-codec.js';

export type LinkMode = 'pass' | 'blackhole' | 'reset';

export interface LinkFault {
  readonly mode: LinkMode;
  /** Added to every chunk on the link, order kept. */
  readonly delayMs: number;
}

export const LINK_OK: LinkFault = { mode: 'pass', delayMs: 0 };

export interface ProxyEndpoint {
  /** Member name; links are named by member names. */
  readonly name: string;
  /** The member ID its peers put in their handshakes. */
  readonly id: string;
  readonly listenHost: string;
  readonly listenPort: number;
  readonly targetHost: string;
  readonly targetPort: number;
}

/** Bytes queued in one direction before the proxy stops reading the source socket. */
const queueBytesMax = 16 * 1024 * 1024;
/** A dialer that sends no handshake within this long is cut. */
const handshakeMsMax = 5000;
/** The first frame is a handshake; anything bigger is not one. */
const handshakeBytesMax = 64 * 1024;

export interface ProxyCounters {
  accepted: number;
  unidentified: number;
  refused: number;
  reset: number;
  bytesForwarded: number;
  bytesDropped: number;
}

/** All proxies of a cluster and the fault of every directed link between its members. */
export class FaultNetwork {
  readonly counters: ProxyCounters = {
    accepted: 0, unidentified: 0, refused: 0, reset: 0, bytesForwarded: 0, bytesDropped: 0,
  };
  private readonly faults = new Map<string, LinkFault>();
  private readonly servers: net.Server[] = [];
  private readonly connections = new Set<ProxiedConnection>();
  private readonly nameById: Map<string, string>;

  constructor(private readonly endpoints: readonly ProxyEndpoint[]) {
    this.nameById = new Map(endpoints.map((e) => [e.id, e.name]));
  }

  /** Listens on every endpoint; rejects (after closing what it opened) if one cannot bind. */
  async start(): Promise<void> {
    try {
      for (const endpoint of this.endpoints) await this.listen(endpoint);
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    for (const connection of [...this.connections]) connection.destroy();
    await Promise.all(this.servers.map((s) => new Promise((done) => s.close(done))));
    this.servers.length = 0;
  }

  link(from: string, to: string): LinkFault {
    return this.faults.get(`${from}>${to}`) ?? LINK_OK;
  }

  setLink(from: string, to: string, fault: LinkFault): void {
    if (from === to) return;
    const key = `${from}>${to}`;
    if (fault.mode === 'pass' && fault.delayMs === 0) this.faults.delete(key);
    else this.faults.set(key, fault);
    for (const connection of [...this.connections]) connection.reconsider();
  }

  /** Cuts both directions between every member of `a` and every member of `b`. */
  cutBetween(a: readonly string[], b: readonly string[], mode: LinkMode = 'blackhole'): void {
    for (const x of a) {
      for (const y of b) {
        this.setLink(x, y, { mode, delayMs: 0 });
        this.setLink(y, x, { mode, delayMs: 0 });
      }
    }
  }

  heal(): void {
    this.faults.clear();
    for (const connection of [...this.connections]) connection.reconsider();
  }

  /** The links that are not plain pass-through, e.g. `n1>n2 blackhole, n2>n3 delay 80ms`. */
  describe(): string {
    const parts = [...this.faults].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, fault]) => {
      const delay = fault.delayMs > 0 ? ` +${fault.delayMs}ms` : '';
      return `${key} ${fault.mode === 'pass' ? 'delay' : fault.mode}${delay}`;
    });
    return parts.length === 0 ? 'all links healthy' : parts.join(', ');
  }

  private listen(endpoint: ProxyEndpoint): Promise<void> {
    const server = net.createServer((socket) => this.accept(endpoint, socket));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(endpoint.listenPort, endpoint.listenHost, () => {
        server.off('error', reject);
        this.servers.push(server);
        resolve();
      });
    });
  }

  private accept(endpoint: ProxyEndpoint, socket: net.Socket): void {
    this.counters.accepted++;
    const connection = new ProxiedConnection(this, endpoint, socket);
    this.connections.add(connection);
    connection.onClosed = () => this.connections.delete(connection);
  }

  /** Called by a connection once its handshake named the dialer. */
  senderName(id: string): string | undefined {
    return this.nameById.get(id);
  }
}

/** One dialed connection: dialer → proxy → listener. `up` is from→to, `down` is to→from. */
class ProxiedConnection {
  onClosed: () => void = () => {};
  private from: string | null = null;
  private outbound: net.Socket | null = null;
  private readonly up: DirectionPipe;
  private readonly down: DirectionPipe;
  private readonly decoder = new FrameDecoder({ frameBytesMax: handshakeBytesMax });
  private readonly early: Buffer[] = [];
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly network: FaultNetwork,
    private readonly endpoint: ProxyEndpoint,
    private readonly inbound: net.Socket,
  ) {
    this.up = new DirectionPipe(() => this.fault('up'), inbound, network.counters);
    this.down = new DirectionPipe(() => this.fault('down'), null, network.counters);
    this.timer = setTimeout(() => this.destroy(), handshakeMsMax);
    inbound.on('data', (chunk: Buffer) => this.inboundData(chunk));
    this.watch(inbound);
  }

  /** Re-reads the link faults: a cut link resets, a healed link that lost bytes restarts. */
  reconsider(): void {
    if (this.from === null || this.closed) return;
    const tainted = this.up.tainted || this.down.tainted;
    const up = this.fault('up');
    const down = this.fault('down');
    if (up.mode === 'reset' || down.mode === 'reset') return this.reset();
    if (tainted && up.mode === 'pass' && down.mode === 'pass') this.destroy();
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.up.close();
    this.down.close();
    this.inbound.destroy();
    this.outbound?.destroy();
    this.onClosed();
  }

  private reset(): void {
    this.network.counters.reset++;
    if (!this.closed && !this.inbound.destroyed) this.inbound.resetAndDestroy();
    if (this.outbound !== null && !this.outbound.destroyed) this.outbound.resetAndDestroy();
    this.destroy();
  }

  private fault(direction: 'up' | 'down'): LinkFault {
    if (this.from === null) return LINK_OK;
    const to = this.endpoint.name;
    return direction === 'up' ? this.network.link(this.from, to) : this.network.link(to, this.from);
  }

  private inboundData(chunk: Buffer): void {
    if (this.from !== null) return this.up.push(chunk);
    this.early.push(chunk);
    let body: Uint8Array | undefined;
    try {
      this.decoder.write(chunk);
      body = this.decoder.next();
    } catch {
      return this.identified('?');
    }
    if (body === undefined) return;
    let sender = '?';
    try {
      const frame = decodePeerFrame(body);
      if (frame.kind === 'handshake') {
        sender = this.network.senderName(frame.handshake.senderId) ?? '?';
      }
    } catch {
      sender = '?';
    }
    this.identified(sender);
  }

  private identified(sender: string): void {
    clearTimeout(this.timer);
    this.from = sender;
    if (sender === '?') this.network.counters.unidentified++;
    if (this.fault('up').mode === 'reset' || this.fault('down').mode === 'reset') {
      this.network.counters.refused++;
      return this.reset();
    }
    const { targetHost, targetPort } = this.endpoint;
    const outbound = net.connect({ host: targetHost, port: targetPort });
    this.outbound = outbound;
    this.watch(outbound);
    outbound.on('data', (chunk: Buffer) => this.down.push(chunk));
    outbound.on('connect', () => {
      this.up.attach(outbound);
      this.down.attach(this.inbound);
    });
    this.down.source = outbound;
    for (const chunk of this.early.splice(0)) this.up.push(chunk);
  }

  private watch(socket: net.Socket): void {
    socket.on('error', () => this.destroy());
    socket.on('close', () => this.destroy());
    socket.on('end', () => this.destroy());
  }
}

/**
 * One direction of a proxied connection: chunks wait in order until their due time and until
 * the sink is connected; a blackholed chunk is dropped and taints the stream (its framing is
 * lost, so the connection is closed when the link heals).
 */
class DirectionPipe {
  tainted = false;
  private readonly queue: { dueMs: number; chunk: Buffer }[] = [];
  private queuedBytes = 0;
  private sink: net.Socket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastDueMs = 0;
  private closed = false;

  constructor(
    private readonly fault: () => LinkFault,
    public source: net.Socket | null,
    private readonly counters: ProxyCounters,
  ) {}

  attach(sink: net.Socket): void {
    this.sink = sink;
    this.flush();
  }

  push(chunk: Buffer): void {
    if (this.closed) return;
    const fault = this.fault();
    if (fault.mode !== 'pass') {
      this.tainted = true;
      this.counters.bytesDropped += chunk.length;
      return;
    }
    const dueMs = Math.max(performance.now() + fault.delayMs, this.lastDueMs);
    this.lastDueMs = dueMs;
    this.queue.push({ dueMs, chunk });
    this.queuedBytes += chunk.length;
    if (this.queuedBytes > queueBytesMax) this.source?.pause();
    this.flush();
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.queue.length = 0;
  }

  private flush(): void {
    if (this.closed || this.sink === null || this.timer !== null) return;
    const now = performance.now();
    while (this.queue.length > 0 && (this.queue[0] as { dueMs: number }).dueMs <= now) {
      const { chunk } = this.queue.shift() as { chunk: Buffer };
      this.queuedBytes -= chunk.length;
      this.counters.bytesForwarded += chunk.length;
      this.sink.write(chunk);
    }
    if (this.queuedBytes <= queueBytesMax / 2) this.source?.resume();
    const head = this.queue[0];
    if (head === undefined) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, Math.max(1, Math.ceil(head.dueMs - now)));
  }
}
