// The fault proxy on its own: a dialer sends a real peer Handshake through it to an echo server;
// the proxy names the link from the handshake and passes, blackholes, resets or delays it.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/transport/frame-codec.js';
import { PROTOCOL_VERSION } from '../../src/transport/handshake.js';
import { encodePeerFrame } from '../../src/transport/peer-codec.js';
import { FaultNetwork, LINK_OK } from './fault-proxy.js';

const host = `127.${100 + Math.floor(Math.random() * 150)}.${Math.floor(Math.random() * 250)}.9`;
let echoedBytes = 0;
const echo = net.createServer((socket) => {
  socket.on('error', () => {}); // the proxy resets connections on purpose
  socket.on('data', (chunk: Buffer) => (echoedBytes += chunk.length));
  socket.pipe(socket);
});
const network = new FaultNetwork([
  { name: 'a', id: 'a1', listenHost: host, listenPort: 2391, targetHost: host, targetPort: 2390 },
  { name: 'b', id: 'b1', listenHost: host, listenPort: 2381, targetHost: host, targetPort: 2380 },
]);

const hello = Buffer.from(encodeFrame(encodePeerFrame({
  kind: 'handshake',
  handshake: {
    version: PROTOCOL_VERSION, clusterId: 'c', senderId: 'a1', receiverId: 'b1',
    channel: 'messages',
  },
})));

/** A dialer from member a (id a1): everything it receives, and whether it was closed. */
class Dialer {
  received = Buffer.alloc(0);
  closed = false;
  readonly socket = net.connect({ host, port: 2381 });

  constructor() {
    this.socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
    });
    this.socket.on('close', () => (this.closed = true));
    this.socket.on('error', () => {});
    this.socket.write(hello);
  }

  /** Sends `text` and waits up to `ms` for it to come back; the ms it took, or null. */
  async roundTrip(text: string, ms: number): Promise<number | null> {
    const started = performance.now();
    const expected = this.received.length + Buffer.byteLength(text);
    this.socket.write(text);
    while (performance.now() - started < ms) {
      if (this.received.length >= expected) return performance.now() - started;
      await new Promise((r) => setTimeout(r, 5));
    }
    return null;
  }

  async closedWithin(ms: number): Promise<boolean> {
    const started = performance.now();
    while (!this.closed && performance.now() - started < ms) {
      await new Promise((r) => setTimeout(r, 5));
    }
    return this.closed;
  }
}

beforeAll(async () => {
  await new Promise<void>((resolve) => echo.listen(2380, host, resolve));
  await network.start();
});

afterAll(async () => {
  await network.close();
  await new Promise((resolve) => echo.close(resolve));
});

describe('fault proxy', () => {
  it('fault proxy: passes bytes both ways once the handshake names the dialer', async () => {
    const dialer = new Dialer();
    expect(await dialer.roundTrip('x', 2000)).not.toBeNull();
    expect(dialer.received.subarray(0, hello.length).equals(hello)).toBe(true);
    expect(network.counters.unidentified).toBe(0);
    dialer.socket.destroy();
  });

  it('fault proxy: a blackholed link drops bytes silently; healing closes the stream', async () => {
    const dialer = new Dialer();
    expect(await dialer.roundTrip('x', 2000)).not.toBeNull();
    network.setLink('a', 'b', { mode: 'blackhole', delayMs: 0 });
    expect(await dialer.roundTrip('y', 300)).toBeNull();
    expect(dialer.closed).toBe(false);
    network.heal();
    expect(await dialer.closedWithin(2000)).toBe(true);
    expect(network.counters.bytesDropped).toBeGreaterThan(0);
  });

  it('fault proxy: one-way: a cut b→a drops the echo but a→b still arrives', async () => {
    const dialer = new Dialer();
    expect(await dialer.roundTrip('x', 2000)).not.toBeNull();
    network.setLink('b', 'a', { mode: 'blackhole', delayMs: 0 });
    expect(network.link('a', 'b')).toEqual(LINK_OK);
    const before = echoedBytes;
    expect(await dialer.roundTrip('y', 300)).toBeNull();
    expect(echoedBytes).toBe(before + 1);
    network.heal();
    expect(await dialer.closedWithin(2000)).toBe(true);
  });

  it('fault proxy: a reset link cuts open connections and refuses new ones', async () => {
    const open = new Dialer();
    expect(await open.roundTrip('x', 2000)).not.toBeNull();
    network.cutBetween(['a'], ['b'], 'reset');
    expect(await open.closedWithin(2000)).toBe(true);
    const refused = new Dialer();
    expect(await refused.closedWithin(2000)).toBe(true);
    network.heal();
  });

  it('fault proxy: a delayed link adds its delay and keeps order', async () => {
    const dialer = new Dialer();
    expect(await dialer.roundTrip('x', 2000)).not.toBeNull();
    network.setLink('a', 'b', { mode: 'pass', delayMs: 150 });
    const took = await dialer.roundTrip('abc', 3000);
    expect(took).not.toBeNull();
    expect(took as number).toBeGreaterThanOrEqual(140);
    expect(dialer.received.subarray(-4).toString()).toBe('xabc');
    network.heal();
    dialer.socket.destroy();
  });
});
