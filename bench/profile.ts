// Summarizes a V8 .cpuprofile (from `node --cpu-prof`) as markdown: self time by function, by
// package/area (kvd source, each node_modules package, node internals, GC), and inclusive time of
// kvd's own functions. Standalone: node dist/bench/profile.js file.cpuprofile
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface CallFrame { functionName: string; url: string; lineNumber: number; columnNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; hitCount?: number; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

export interface ProfileSummary {
  readonly totalMs: number;
  readonly markdown: string;
}

/** Where a frame's code lives: "kvd src/…", a package name, "node internals", or a V8 pseudo-frame. */
function areaOf(frame: CallFrame): string {
  const url = frame.url;
  if (url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native / V8 builtins)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return `npm: ${pkg[1]}`;
  if (url.startsWith('node:')) return 'node internals';
  const own = /\/dist\/(src\/[^/]+)\//.exec(url);
  if (own) return `kvd ${own[1]}`;
  return url;
}

function frameLabel(frame: CallFrame): string {
  const url = frame.url.replace(/^file:\/\/.*?\/dist\//, 'dist/').replace(/^file:\/\/.*?node_modules\//, '');
  const name = frame.functionName || '(anonymous)';
  return url ? `${name} (${url}:${frame.lineNumber + 1})` : name;
}

export interface SummaryOptions {
  /** Rows in the by-function table. */
  readonly top?: number;
  /** Only samples taken in this window (µs on the monotonic clock, as process.hrtime). */
  readonly fromUs?: number;
  readonly toUs?: number;
  /** Requests served in the window: adds a CPU µs per request column. */
  readonly requests?: number;
}

export function summarizeProfile(path: string, options: SummaryOptions = {}): ProfileSummary {
  const top = options.top ?? 25;
  const fromUs = options.fromUs ?? -Infinity;
  const toUs = options.toUs ?? Infinity;
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const area = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    const dt = profile.timeDeltas[i + 1] ?? 0; // a sample's time is the gap until the next one
    const node = byId.get(profile.samples[i]!);
    if (!node || at < fromUs || at > toUs) continue;
    totalUs += dt;
    if (node.callFrame.functionName === '(idle)') idleUs += dt;
    const label = frameLabel(node.callFrame);
    self.set(label, (self.get(label) ?? 0) + dt);
    const a = areaOf(node.callFrame);
    area.set(a, (area.get(a) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      if (!/\/dist\/src\//.test(frame.url)) continue;
      const l = frameLabel(frame);
      if (seen.has(l)) continue;
      seen.add(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + dt);
    }
  }
  const busyUs = totalUs - idleUs;
  const perOp = options.requests && options.requests > 0 ? options.requests : 0;
  const rows = (m: Map<string, number>, n: number): string[] =>
    [...m].sort((a, b) => b[1] - a[1]).filter(([k]) => k !== '(idle)').slice(0, n).map(([k, us]) =>
      `| ${k.replace(/\|/g, '\\|')} | ${(us / 1000).toFixed(0)} | ${((100 * us) / busyUs).toFixed(1)}%` +
      `${perOp ? ` | ${(us / perOp).toFixed(1)}` : ''} |`);
  const header = [`| | ms | % of busy${perOp ? ' | µs/request' : ''} |`, `| --- | ---: | ---: |${perOp ? ' ---: |' : ''}`];
  const window = Number.isFinite(fromUs) ? ' (the load window only)' : '';
  const md = [
    `Profile \`${path}\`${window}: ${(totalUs / 1000).toFixed(0)} ms sampled, ${((100 * idleUs) / totalUs).toFixed(1)}% idle, ` +
    `${(busyUs / 1000).toFixed(0)} ms busy${perOp ? `, ${perOp} requests: ${(busyUs / perOp).toFixed(0)} µs of this process's main-thread busy time per request` : ''}.`, '',
    '### Self time by area', '', ...header, ...rows(area, 20), '',
    `### Self time by function (top ${top})`, '', ...header, ...rows(self, top), '',
    '### Inclusive time of kvd functions (top 25)', '', ...header, ...rows(inclusive, 25), '',
  ];
  return { totalMs: totalUs / 1000, markdown: md.join('\n') };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(summarizeProfile(process.argv[2]!, { top: Number(process.argv[3] ?? 25) }).markdown + '\n');
}
