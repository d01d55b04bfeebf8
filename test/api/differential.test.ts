// Differential test: the same HTTP scenarios against a real etcd 3.4 (--enable-v2) and against
// kvd's gateway over an in-process store, comparing status, error codes, bodies (indexes
// relative, times masked) and headers. Scenarios where etcd is knowingly not copied are listed
// in docs/COMPATIBILITY.md and must still differ. Skipped only when no etcd binary is found.

import { appendFileSync, readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { findEtcd, startEtcd, type EtcdProcess } from './differential/etcd-process.js';
import { makeTarget, type HttpTarget } from './differential/raw-http.js';
import { runScenario } from './differential/run-scenario.js';
import type { Scenario } from './differential/scenario.js';
import { compareScenarios } from './differential/scenarios-compare.js';
import { httpScenarios } from './differential/scenarios-http.js';
import { keyScenarios } from './differential/scenarios-keys.js';
import { paramScenarios } from './differential/scenarios-params.js';
import { watchScenarios } from './differential/scenarios-watch.js';
import { FakeBackend } from './fake-backend.js';

const scenarios: readonly Scenario[] = [
  ...keyScenarios,
  ...compareScenarios,
  ...paramScenarios,
  ...watchScenarios,
  ...httpScenarios,
];

const etcdBinary = findEtcd();
const compatibility = readFileSync(new URL('../../docs/COMPATIBILITY.md', import.meta.url), 'utf8');

describe('differential: scenario list', () => {
  it('has at least 150 scenarios with unique names', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(150);
    expect(new Set(scenarios.map((s) => s.name)).size).toBe(scenarios.length);
  });

  it('every expected deviation is a row of docs/COMPATIBILITY.md', () => {
    for (const id of new Set(
      scenarios.flatMap((s) => (s.deviation === undefined ? [] : [s.deviation])),
    )) {
      expect(compatibility, `deviation ${id}`).toContain(`| \`${id}\` |`);
    }
  });
});

describe.skipIf(etcdBinary === null)('differential: kvd against etcd 3.4', () => {
  let etcd: EtcdProcess | undefined;
  let app: FastifyInstance | undefined;
  let backend: FakeBackend | undefined;
  let kvd: HttpTarget | undefined;
  const outcomes = { matched: 0, deviated: 0, failed: [] as string[] };

  beforeAll(async () => {
    etcd = await startEtcd(etcdBinary!);
    backend = new FakeBackend({ expiryIntervalMs: 100 });
    app = buildApp(backend, {
      version: { etcdserver: etcd.version, etcdcluster: '3.4.0', kvd: '0.1.0' },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    backend.clientURLs = [`http://127.0.0.1:${port}`];
    kvd = makeTarget('127.0.0.1', port);
  }, 40_000);

  afterAll(async () => {
    kvd?.agent.destroy();
    await app?.close();
    backend?.close();
    await etcd?.stop();
    const total = outcomes.matched + outcomes.deviated + outcomes.failed.length;
    console.log(
      `differential: ${total} scenarios against etcd ${etcd?.version ?? '?'}: ` +
        `${outcomes.matched} match, ${outcomes.deviated} expected deviations, ` +
        `${outcomes.failed.length} unexpected differences` +
        (outcomes.failed.length > 0 ? `:\n  ${outcomes.failed.join('\n  ')}` : ''),
    );
  }, 20_000);

  for (const [position, entry] of scenarios.entries()) {
    const prefix = `dt${String(position).padStart(3, '0')}`;
    const marker = entry.deviation === undefined ? '' : ` [deviation ${entry.deviation}]`;
    const title = `${prefix} ${entry.name}${marker}`;
    it(
      title,
      async () => {
        const [fromEtcd, fromKvd] = await Promise.all([
          runScenario(etcd!.target, entry, prefix),
          runScenario(kvd!, entry, prefix),
        ]);
        const same = isDeepStrictEqual(fromKvd.observations, fromEtcd.observations);
        const dump = process.env['KVD_DIFFERENTIAL_DUMP'];
        if (dump !== undefined && dump !== '') {
          appendFileSync(
            dump,
            JSON.stringify({ title, same, etcd: fromEtcd, kvd: fromKvd }) + '\n',
          );
        }
        if (entry.deviation !== undefined) {
          if (!same) outcomes.deviated++;
          expect(same, `expected deviation ${entry.deviation} no longer differs`).toBe(false);
          return;
        }
        if (same) outcomes.matched++;
        else outcomes.failed.push(title);
        expect(fromKvd.observations).toEqual(fromEtcd.observations);
      },
      60_000,
    );
  }
});

describe.skipIf(etcdBinary !== null)('differential: skipped', () => {
  it('needs the etcd binary on PATH (apt-get install -y etcd-server etcd-client)', () => {
    expect(etcdBinary).toBeNull();
  });
});
