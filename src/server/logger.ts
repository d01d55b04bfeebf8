// pino loggers: structured JSON lines, or a short human-readable line per event for a terminal.
import { pino, type Logger } from 'pino';

export function makeLogger(format: 'json' | 'pretty', level: string): Logger {
  if (format === 'json') return pino({ level, base: { app: 'kvd' } });
  return pino({ level }, {
    write(line: string): void {
      const record = JSON.parse(line) as Record<string, unknown>;
      const { level: lvl, time, msg, pid: _pid, hostname: _host, ...rest } = record;
      const name = pino.levels.labels[lvl as number] ?? String(lvl);
      const when = new Date(time as number).toISOString().slice(11, 23);
      const extra = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
      process.stdout.write(`${when} ${name.toUpperCase().padEnd(5)} ${String(msg)}${extra ? ' ' + extra : ''}\n`);
    },
  });
}
