// Stable one-line text for messages, entries and Ready batches: for logs, interaction
// scripts and simulator traces. Imports only src/raft/types.ts.
import type { Entry, Message, Ready } from './types.js';

const textDecoder = new TextDecoder();

export function describeEntry(entry: Entry): string {
  const kind = entry.type === 'conf-change' ? 'conf:' : '';
  const data = entry.data.length === 0 ? '' : ` ${kind}${printable(entry.data)}`;
  return `${entry.term}/${entry.index}${data}`;
}

export function describeMessage(m: Message): string {
  const parts = [`${m.from}->${m.to} ${m.type} term=${m.term}`];
  if (m.type === 'append' || m.type === 'vote' || m.type === 'prevote') {
    parts.push(`log=${m.logTerm}/${m.index}`);
  } else if (m.index !== 0) {
    parts.push(`index=${m.index}`);
  }
  if (m.commit !== 0) parts.push(`commit=${m.commit}`);
  if (m.reject) parts.push(`rejected (hint ${m.rejectTerm}/${m.rejectHint})`);
  if (m.transfer) parts.push('transfer');
  if (m.context !== '') parts.push(`ctx=${m.context}`);
  if (m.entries.length > 0) parts.push(`[${m.entries.map(describeEntry).join(' ')}]`);
  if (m.snapshot) parts.push(`snapshot=${m.snapshot.meta.term}/${m.snapshot.meta.index}`);
  return parts.join(' ');
}

export function describeReady(ready: Ready): string {
  const lines: string[] = [];
  if (ready.role) lines.push(`role: ${ready.role.role} term=${ready.role.term} leader=${ready.role.leaderId || '-'}`);
  const { hardState, entries, snapshot, sync } = ready.persist;
  if (hardState) lines.push(`hard state: term=${hardState.term} vote=${hardState.vote || '-'} commit=${hardState.commit}`);
  if (snapshot) lines.push(`snapshot: ${snapshot.meta.term}/${snapshot.meta.index}`);
  if (entries.length > 0) lines.push(`persist${sync ? ' (sync)' : ''}: ${entries.map(describeEntry).join(' ')}`);
  for (const m of ready.send) lines.push(`send: ${describeMessage(m)}`);
  if (ready.apply.length > 0) lines.push(`apply: ${ready.apply.map(describeEntry).join(' ')}`);
  for (const r of ready.reads) lines.push(`read: ${r.context} at ${r.index}`);
  return lines.join('\n');
}

function printable(data: Uint8Array): string {
  const text = textDecoder.decode(data.subarray(0, 40));
  return /^[\x20-\x7e]*$/.test(text) ? JSON.stringify(text) : `<${data.length} bytes>`;
}
