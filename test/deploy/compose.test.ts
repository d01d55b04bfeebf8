// The deployment files stay valid: docker-compose.yml passes `docker-compose config -q`
// (Debian's docker-compose; CI installs it) and names three members with /health checks.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('deployment', () => {
  it('deploy: docker-compose.yml passes docker-compose config -q', () => {
    let output = '';
    try {
      output = execFileSync('docker-compose', ['config', '-q'], { encoding: 'utf8', timeout: 30_000 });
    } catch (error) {
      const e = error as { code?: string; stderr?: string };
      if (e.code === 'ENOENT') throw new Error('docker-compose is not installed (apt-get install docker-compose)');
      throw new Error(`docker-compose config failed: ${e.stderr ?? String(error)}`);
    }
    expect(output.trim()).toBe('');
  });

  it('deploy: the compose cluster has three members, each with a /health check and a data volume', () => {
    const text = readFileSync('docker-compose.yml', 'utf8');
    for (const name of ['kvd1', 'kvd2', 'kvd3']) {
      expect(text).toContain(`KVD_NAME: ${name}`);
      expect(text).toContain(`${name}-data:/data`);
    }
    expect(text).toContain('/health');
    expect(text).toContain('KVD_INITIAL_CLUSTER: kvd1=http://kvd1:2380,kvd2=http://kvd2:2380,kvd3=http://kvd3:2380');
  });
});
