// Renders the bench's results as markdown (bench/RESULTS.md): the machine, then one table per
// workload group with the median of the alternated runs for kvd and etcd and the kvd/etcd ratio,
// the per-run numbers (to show the noise), and how the numbers were taken.
import type { Kind } from './clusters.js';
import type { FsyncFloor } from './fsync-floor.js';
import type { HttpResult, HttpWorkload } from './workloads/http-load.js';
import type { MemoryResult, RestartResult } from './workloads/memory-restart.js';
import type { WatchResult, WatchWorkload } from './workloads/watch.js';
import { median } from './util.js';

export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly node: string;
  readonly etcd: string;
  readonly wrk: string;
  readonly disk: string;
}

export interface Settings {
  readonly quick: boolean;
  readonly rounds: number;
  readonly httpSeconds: number;
  readonly watchSeconds: number;
  readonly watchGraceSeconds: number;
  readonly keySpace: number;
  readonly bigKeys: number;
  readonly restarts: number;
  readonly snapshotCount: number;
  readonly fsyncSeconds: number;
}

export type PerKind<T> = Record<Kind, T[]>;

export interface Results {
  readonly startedAt: Date;
  finishedAt: Date;
  readonly loadAvgStart: string;
  loadAvgEnd: string;
  readonly http: Map<HttpWorkload, PerKind<HttpResult>>;
  readonly watch: Map<WatchWorkload, PerKind<WatchResult>>;
  readonly memory: Partial<Record<Kind, MemoryResult>>;
  readonly restart: PerKind<RestartResult>;
  fsync: FsyncFloor | null;
  readonly preload: Partial<Record<Kind, { seconds: number; failed: number }>>;
  /** Runs that failed, one line each, and anything else worth saying. */
  readonly notes: string[];
}

const f = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';
const ms = (n: number): string => (Number.isFinite(n) ? (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)) : 'n/a');
const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${(a / b).toFixed(2)}×` : 'n/a');
const pct = (n: number): string => (Number.isFinite(n) ? `${(n * 100).toFixed(0)}%` : 'n/a');
const med = <T>(runs: readonly T[], pick: (r: T) => number): number => median(runs.map(pick));
const sum = <T>(runs: readonly T[], pick: (r: T) => number): number => runs.reduce((a, r) => a + pick(r), 0);

export function renderReport(machine: Machine, settings: Settings, results: Results): string {
  const out: string[] = [];
  const kind = settings.quick ? '**Quick run** (`npm run bench -- --quick`)' : 'Full run (`npm run bench`)';
  out.push('# kvd vs etcd 3.4: v2 HTTP API benchmarks', '');
  out.push(`${kind}, ${results.startedAt.toISOString()} to ${results.finishedAt.toISOString()}; ` +
    `${settings.rounds} alternation${settings.rounds === 1 ? '' : 's'} (kvd and etcd take turns going first), ` +
    `medians of the runs. ${settings.quick ? 'Quick-run numbers are single runs with short durations: indicative only.' : ''}`, '');
  out.push('kvd/etcd is kvd\'s number divided by etcd\'s: above 1× kvd is higher, which is better for ops/s and ' +
    'deliveries/s and worse for latency, memory and restart time.', '');
  out.push('| Machine | |', '| --- | --- |');
  out.push(`| CPU | ${machine.cpuModel}, ${machine.cores} cores, ${f(machine.memoryGiB)} GiB RAM |`);
  out.push(`| Kernel | ${machine.kernel} |`);
  out.push(`| Node | ${machine.node} |`, `| etcd | ${machine.etcd} |`, `| wrk | ${machine.wrk} |`);
  out.push(`| Data dirs | ${machine.disk} (fsync on, both clusters on the same disk) |`);
  out.push(`| Load average (1/5/15 min) | ${results.loadAvgStart} at start, ${results.loadAvgEnd} at end: the machine is shared with other test runs, so numbers are noisy |`);
  out.push(`| Settings | 3 members each on loopback, heartbeat 100 ms, election 1000 ms, snapshot-count ${settings.snapshotCount} (both); ${settings.keySpace.toLocaleString('en-US')}-key space, 256-byte values |`);
  out.push('');

  if (results.fsync) {
    const s = results.fsync;
    out.push('## W8: fsync floor of this disk', '');
    out.push(`4 KiB write + fdatasync into a preallocated file, ${settings.fsyncSeconds} s: ` +
      `**p50 ${ms(s.p50Ms)} ms, p99 ${ms(s.p99Ms)} ms** (max ${ms(s.maxMs)} ms), ${f(s.syncsPerSec)} syncs/s. ` +
      'A replicated write waits for at least one such sync on a majority: on the leader and a follower at the same ' +
      'time when the leader sends entries while it syncs (etcd does), one after the other when it sends after its own sync. ' +
      'Measured before the clusters start; the disk is shared, so it varies from run to run too.', '');
  }

  if (results.http.size > 0) {
    out.push('## W1-W4: closed-loop HTTP load (wrk against the leader)', '');
    out.push('| Workload | kvd ops/s | etcd ops/s | **kvd/etcd** | kvd p50 / p99 / p999 ms | etcd p50 / p99 / p999 ms | p99 kvd/etcd | errors kvd / etcd | server CPU µs/op kvd / etcd | wrk CPU (cores, share of busy CPU) |');
    out.push('| --- | ---: | ---: | ---: | --- | --- | ---: | --- | --- | --- |');
    for (const [w, runs] of results.http) {
      const k = runs.kvd;
      const e = runs.etcd;
      const lat = (r: HttpResult[]): string => `${ms(med(r, (x) => x.p50Ms))} / ${ms(med(r, (x) => x.p99Ms))} / ${ms(med(r, (x) => x.p999Ms))}`;
      const gen = [...k, ...e];
      out.push(`| ${w.id} ${w.title} | ${f(med(k, (r) => r.opsPerSec))} | ${f(med(e, (r) => r.opsPerSec))} | ` +
        `**${ratio(med(k, (r) => r.opsPerSec), med(e, (r) => r.opsPerSec))}** | ${lat(k)} | ${lat(e)} | ` +
        `${ratio(med(k, (r) => r.p99Ms), med(e, (r) => r.p99Ms))} | ${errorsOf(k)} / ${errorsOf(e)} | ` +
        `${f(med(k, (r) => r.serverUsPerOp))} / ${f(med(e, (r) => r.serverUsPerOp))} | ` +
        `${f(med(gen, (r) => r.genCores), 2)}, ${pct(med(gen, (r) => r.genShare))} |`);
    }
    out.push('');
  }

  if (results.watch.size > 0) {
    out.push('## W5: watchers on a prefix while 50 writes/s land', '');
    out.push('| Workload | kvd deliveries/s | etcd deliveries/s | **kvd/etcd** | ideal/s | kvd latency p50 / p99 / p999 ms | etcd latency p50 / p99 / p999 ms | misses kvd / etcd | cleared (401) kvd / etcd | errors kvd / etcd | writes/s, write p50 ms kvd / etcd | server CPU µs/delivery kvd / etcd | watcher client CPU (cores, share) |');
    out.push('| --- | ---: | ---: | ---: | ---: | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const [w, runs] of results.watch) {
      const k = runs.kvd.filter((r) => r.na === undefined);
      const e = runs.etcd.filter((r) => r.na === undefined);
      const naK = runs.kvd.find((r) => r.na !== undefined);
      const naE = runs.etcd.find((r) => r.na !== undefined);
      const cell = (r: WatchResult[], na: WatchResult | undefined, text: (x: WatchResult[]) => string): string =>
        r.length === 0 ? (na ? 'n/a' : '—') : text(r);
      const missText = (r: WatchResult[]): string => `${f(sum(r, (x) => x.misses))} (${pct(sum(r, (x) => x.misses) / Math.max(1, sum(r, (x) => x.writes * w.watchers)))})`;
      const latText = (r: WatchResult[]): string =>
        `${ms(med(r, (x) => x.p50Ms))} / ${ms(med(r, (x) => x.p99Ms))} / ${ms(med(r, (x) => x.p999Ms))}`;
      const writeText = (r: WatchResult[]): string => `${f(med(r, (x) => x.writesPerSec))}, ${ms(med(r, (x) => x.writeP50Ms))}`;
      const gen = [...k, ...e];
      out.push(`| ${w.id} ${w.title} | ${cell(k, naK, (r) => f(med(r, (x) => x.deliveriesPerSec)))} | ` +
        `${cell(e, naE, (r) => f(med(r, (x) => x.deliveriesPerSec)))} | ` +
        `**${k.length && e.length ? ratio(med(k, (x) => x.deliveriesPerSec), med(e, (x) => x.deliveriesPerSec)) : 'n/a'}** | ` +
        `${f(med(gen, (x) => x.idealPerSec))} | ` +
        `${cell(k, naK, latText)} | ${cell(e, naE, latText)} | ` +
        `${cell(k, naK, missText)} / ${cell(e, naE, missText)} | ` +
        `${cell(k, naK, (r) => f(sum(r, (x) => x.cleared)))} / ${cell(e, naE, (r) => f(sum(r, (x) => x.cleared)))} | ` +
        `${cell(k, naK, (r) => f(sum(r, (x) => x.errors + x.writeErrors)))} / ${cell(e, naE, (r) => f(sum(r, (x) => x.errors + x.writeErrors)))} | ` +
        `${cell(k, naK, writeText)} / ${cell(e, naE, writeText)} | ` +
        `${cell(k, naK, (r) => f(med(r, (x) => x.serverUsPerDelivery)))} / ${cell(e, naE, (r) => f(med(r, (x) => x.serverUsPerDelivery)))} | ` +
        `${gen.length ? `${f(med(gen, (x) => x.genCores), 2)}, ${pct(med(gen, (x) => x.genShare))}` : 'n/a'} |`);
      for (const [name, na] of [['kvd', naK], ['etcd', naE]] as const) {
        if (na) results.notes.push(`${w.id} ${name}: n/a (${na.na})`);
      }
    }
    out.push('');
    out.push('Deliveries/s counts events received by all watchers while the writer ran; "ideal" is writes/s × watchers. ' +
      'Latency is from the write being sent to a watcher receiving its event (watchers that fell behind and caught up ' +
      'from history count with their full lag). Misses are events never delivered by the end of a ' +
      `${settings.watchGraceSeconds} s grace period (summed over runs; % of writes × watchers); "cleared" counts answers ` +
      'saying the awaited index had left the server\'s event history, after which a watcher skips ahead. Errors ' +
      'are failed watch requests plus failed or skipped writes (the writer skips a write when 64 are in flight). Long-poll ' +
      'v2 watches answer one event per request, so every write costs each watcher a full HTTP round trip.', '');
  }

  const mk = results.memory.kvd;
  const me = results.memory.etcd;
  if (mk || me) {
    const keys = (mk ?? me)!.keys;
    const note = keys < 100_000 ? ` (**${keys.toLocaleString('en-US')} keys, not 100,000: quick run**)` : '';
    out.push(`## W6: resident memory after loading ${keys.toLocaleString('en-US')} keys${note}`, '');
    out.push('| | kvd | etcd | **kvd/etcd** |', '| --- | ---: | ---: | ---: |');
    const members = (m: MemoryResult | undefined, pick: (m: MemoryResult) => number[]): string =>
      m ? pick(m).map((v, i) => `${m.members[i]} ${f(v)}`).join(', ') : 'n/a';
    const total = (m: MemoryResult | undefined, pick: (m: MemoryResult) => number[]): number =>
      m ? pick(m).reduce((a, b) => a + b, 0) : NaN;
    out.push(`| RSS idle, MiB (leader *) | ${members(mk, (m) => m.baselineMiB)} | ${members(me, (m) => m.baselineMiB)} | ${ratio(total(mk, (m) => m.baselineMiB), total(me, (m) => m.baselineMiB))} |`);
    out.push(`| RSS loaded, MiB (leader *) | ${members(mk, (m) => m.loadedMiB)} | ${members(me, (m) => m.loadedMiB)} | ${ratio(total(mk, (m) => m.loadedMiB), total(me, (m) => m.loadedMiB))} |`);
    out.push(`| RSS loaded, sum of 3 members, MiB | ${f(total(mk, (m) => m.loadedMiB))} | ${f(total(me, (m) => m.loadedMiB))} | **${ratio(total(mk, (m) => m.loadedMiB), total(me, (m) => m.loadedMiB))}** |`);
    const rate = (m: MemoryResult | undefined): number => (m ? m.keys / m.loadSeconds : NaN);
    out.push(`| Load rate, keys/s (Node loader, 256 connections) | ${f(rate(mk))} | ${f(rate(me))} | ${ratio(rate(mk), rate(me))} |`);
    out.push(`| Failed PUTs while loading | ${mk ? f(mk.loadFailed) : 'n/a'} | ${me ? f(me.loadFailed) : 'n/a'} | |`);
    out.push('');
  }

  const rk = results.restart.kvd;
  const re = results.restart.etcd;
  if (rk.length || re.length) {
    const keys = (mk ?? me)?.keys ?? settings.bigKeys;
    out.push(`## W7: restart of a SIGKILLed follower holding ${keys.toLocaleString('en-US')} keys${keys < 100_000 ? ' (quick run: fewer keys)' : ''}`, '');
    out.push(`Median of ${Math.max(rk.length, re.length)} kill/restart cycles per cluster (alternating), timed from spawning the process again.`, '');
    out.push('| | kvd ms | etcd ms | **kvd/etcd** |', '| --- | ---: | ---: | ---: |');
    out.push(`| to GET /health 200 | ${ms(med(rk, (r) => r.healthMs))} | ${ms(med(re, (r) => r.healthMs))} | ${ratio(med(rk, (r) => r.healthMs), med(re, (r) => r.healthMs))} |`);
    out.push(`| to a loaded key readable (local GET) | ${ms(med(rk, (r) => r.readableMs))} | ${ms(med(re, (r) => r.readableMs))} | **${ratio(med(rk, (r) => r.readableMs), med(re, (r) => r.readableMs))}** |`);
    out.push('');
  }

  out.push('## Per-run numbers', '');
  for (const [w, runs] of results.http) {
    const list = (r: HttpResult[]): string => r.map((x) => `${f(x.opsPerSec)} (load ${x.loadAvg.split(' ')[0]})`).join(', ') || 'none';
    out.push(`- ${w.id} ops/s: kvd ${list(runs.kvd)}; etcd ${list(runs.etcd)}`);
  }
  for (const [w, runs] of results.watch) {
    const list = (r: WatchResult[]): string => r.map((x) => (x.na ? 'n/a' : `${f(x.deliveriesPerSec)} (${x.connected} connected, ${f(x.writes)} writes)`)).join(', ') || 'none';
    out.push(`- ${w.id} deliveries/s: kvd ${list(runs.kvd)}; etcd ${list(runs.etcd)}`);
  }
  if (rk.length || re.length) {
    const list = (r: RestartResult[]): string => r.map((x) => `${ms(x.readableMs)} (${x.member})`).join(', ') || 'none';
    out.push(`- W7 ms to readable: kvd ${list(rk)}; etcd ${list(re)}`);
  }
  for (const k of ['kvd', 'etcd'] as const) {
    const p = results.preload[k];
    if (p) out.push(`- preload of the ${settings.keySpace.toLocaleString('en-US')}-key space into ${k}: ${p.seconds.toFixed(1)} s, ${p.failed} failed`);
  }
  out.push('');
  if (results.notes.length > 0) {
    out.push('## Notes and failed runs', '', ...results.notes.map((n) => `- ${n}`), '');
  }
  out.push('## Method', '');
  out.push(`- Both clusters run the whole time; each workload runs against kvd and etcd back to back, the order flipping every round. HTTP runs last ${settings.httpSeconds} s, watch runs ${settings.watchSeconds} s of writes plus ${settings.watchGraceSeconds} s grace.`);
  out.push('- W1-W4: `wrk` (bench/wrk/put.lua, get.lua) to the leader, keep-alive connections, 5 s timeout. ops/s counts 2xx answers; errors are wrk\'s connect/read/write/timeout counters plus non-2xx answers. wrk\'s CPU comes from its own /proc/self/stat; "share" is its part of all CPU the machine spent during the run (others\' jobs included). Server CPU µs/op is the 3 members\' CPU over the run divided by requests: it is less sensitive to the shared machine than ops/s.');
  out.push('- Both clusters use --snapshot-count 10000 (kvd\'s default; etcd 3.4\'s default is 100,000) and the default 100 ms heartbeat / 1000 ms election timeout; etcd runs with --enable-v2=true and logs at warn, kvd with --log-level warn.');
  out.push('- W3 quorum=true: etcd 3.4 puts a v2 quorum GET through the Raft log (a log entry per read); kvd answers it with a ReadIndex round.');
  out.push('- W5: watchers spread round-robin over the 3 members, watching /w recursively with waitIndex; the writer (50 PUT/s to the leader, keys /w/k0..k99) runs in the bench process, the watchers in a forked Node process (bench/workloads/watch-client.ts) with a keep-alive http.Agent.');
  out.push(`- W6/W7 run on fresh clusters after the others: ${settings.bigKeys.toLocaleString('en-US')} keys loaded through the leader, RSS from /proc/<pid>/status 3 s later; then ${settings.restarts} SIGKILL/restart cycle(s) of a follower per cluster.`);
  out.push('');
  return out.join('\n');
}

function errorsOf(runs: readonly HttpResult[]): string {
  const total = sum(runs, (r) => r.errors);
  if (total === 0) return '0';
  const detail = runs.map((r) => r.errorDetail).filter(Boolean).join('; ');
  return `${f(total)} (${detail})`;
}
