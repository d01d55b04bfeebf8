// The watcher load generator for W5/W5b/W5s, run as a forked child so that its event loop and CPU
// are separate from the writer's: N long-poll (or stream=true) watchers on a prefix over keep-alive
// connections, following waitIndex so that no event is skipped; reports deliveries, delivery
// latency (write-send time carried in the value -> receive time), misses/errors and its own CPU.
import http from 'node:http';
import { percentile } from '../util.js';

export interface StartCommand {
  readonly cmd: 'start';
  /** Client URLs of the members; watcher i uses urls[i % urls.length]. */
  readonly urls: readonly string[];
  readonly watchers: number;
  readonly stream: boolean;
  /** The watched directory, e.g. /w. */
  readonly path: string;
  /** The first index every watcher waits for. */
  readonly waitIndex: number;
}

export type ClientMessage =
  | { type: 'ready'; connected: number }
  | { type: 'marked'; deliveries: number }
  | { type: 'result'; result: ClientResult };

export interface ClientResult {
  readonly connected: number;
  readonly deliveries: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
  /** Answers saying the waited-for index was already cleared from the server's history. */
  readonly cleared: number;
  /** Failed requests, unexpected answers and streams that ended while running. */
  readonly errors: number;
  readonly streamEnds: number;
  readonly cpuS: number;
  readonly wallS: number;
}

interface WatcherState {
  readonly url: string;
  next: number;
  connected: boolean;
}

const now = (): number => performance.timeOrigin + performance.now();

let stopped = false;
let connected = 0;
let deliveries = 0;
let cleared = 0;
let errors = 0;
let streamEnds = 0;
const latencies: number[] = [];
/** Receive time of each delivery (same clock as the writer's send times). */
const received: number[] = [];
let agent: http.Agent | null = null;
let startCpu = process.cpuUsage();
let startWall = 0;

function send(message: ClientMessage, then?: () => void): void {
  process.send!(message, undefined, undefined, () => then?.());
}

function onConnected(watcher: WatcherState, total: number): void {
  if (watcher.connected) return;
  watcher.connected = true;
  connected++;
  if (connected === total) send({ type: 'ready', connected });
}

/** Handles one event object (or error object); returns false for an unexpected answer. */
function handle(watcher: WatcherState, text: string): void {
  let answer: { node?: { value?: string; modifiedIndex?: number }; errorCode?: number; index?: number };
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    errors++;
    return;
  }
  const node = answer.node;
  if (node !== undefined && typeof node.modifiedIndex === 'number') {
    watcher.next = node.modifiedIndex + 1;
    const value = node.value ?? '';
    if (value.startsWith('t')) {
      deliveries++;
      const t = now();
      received.push(t);
      latencies.push(t - Number(value.slice(1, value.indexOf('|'))));
    }
    return;
  }
  if (answer.errorCode === 401 && typeof answer.index === 'number') {
    cleared++;
    watcher.next = answer.index + 1;
    return;
  }
  errors++;
}

function retry(watcher: WatcherState, start: StartCommand): void {
  if (!stopped) setTimeout(() => watch(watcher, start), 100);
}

function watch(watcher: WatcherState, start: StartCommand): void {
  if (stopped) return;
  const query = `wait=true&recursive=true&waitIndex=${watcher.next}${start.stream ? '&stream=true' : ''}`;
  const req = http.get(`${watcher.url}/v2/keys${start.path}?${query}`, { agent: agent! }, (res) => {
    onConnected(watcher, start.watchers);
    res.setEncoding('utf8');
    let buffer = '';
    res.on('data', (chunk: string) => {
      buffer += chunk;
      if (!start.stream) return;
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.trim() !== '') handle(watcher, line);
      }
    });
    res.on('end', () => {
      if (stopped) return;
      if (start.stream) {
        if (buffer.trim() !== '') handle(watcher, buffer);
        streamEnds++;
        retry(watcher, start);
        return;
      }
      handle(watcher, buffer);
      watch(watcher, start);
    });
    res.on('error', () => {
      if (stopped) return;
      errors++;
      retry(watcher, start);
    });
  });
  req.on('error', () => {
    if (stopped) return;
    errors++;
    retry(watcher, start);
  });
}

function begin(start: StartCommand): void {
  agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  startCpu = process.cpuUsage();
  startWall = performance.now();
  for (let i = 0; i < start.watchers; i++) {
    watch({ url: start.urls[i % start.urls.length]!, next: start.waitIndex, connected: false }, start);
  }
}

function finish(): void {
  stopped = true;
  agent?.destroy();
  const cpu = process.cpuUsage(startCpu);
  const sorted = Float64Array.from(latencies).sort();
  const result: ClientResult = {
    connected, deliveries, cleared, errors, streamEnds,
    p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), p999Ms: percentile(sorted, 99.9), maxMs: sorted.length ? sorted[sorted.length - 1]! : NaN,
    cpuS: (cpu.user + cpu.system) / 1e6, wallS: (performance.now() - startWall) / 1000,
  };
  send({ type: 'result', result }, () => process.exit(0));
}

process.on('message', (message: { cmd: string } & Partial<StartCommand>) => {
  if (message.cmd === 'start') begin(message as StartCommand);
  else if (message.cmd === 'mark') {
    // Deliveries received by `until` (the writer's end), however late this message is read.
    const until = (message as { until?: number }).until ?? Infinity;
    let count = 0;
    for (const t of received) if (t <= until) count++;
    send({ type: 'marked', deliveries: count });
  }
  else if (message.cmd === 'stop') finish();
});
process.on('disconnect', () => process.exit(0));
