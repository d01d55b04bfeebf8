// Runs one scenario against one server and returns what it observed, normalised. The
// starting etcd index is read first (GET /v2/keys/), templates are expanded against it, open
// requests are always closed, and the scenario's prefix is deleted afterwards.

import { normalize, type Observation } from './normalize.js';
import {
  openRequest,
  send,
  type HttpTarget,
  type OpenResponse,
  type RawRequest,
} from './raw-http.js';
import { contentTypeOf, type HttpStep, type Scenario, type Step } from './scenario.js';

export interface Run {
  readonly base: number;
  readonly observations: Observation[];
}

const stepTimeoutMs = 10_000;

export async function runScenario(
  target: HttpTarget,
  scenario: Scenario,
  prefix: string,
): Promise<Run> {
  const base = await currentIndex(target);
  const expand = (text: string): string => expandTemplate(text, prefix, base);
  const opened = new Map<string, OpenResponse>();
  const observations: Observation[] = [];
  try {
    for (const [position, step] of scenario.steps.entries()) {
      const label = `${position}: ${describe(step)}`;
      const observation = await runStep(target, step, { expand, opened, base, label });
      if (observation !== null) observations.push(observation);
    }
  } finally {
    for (const response of opened.values()) await response.collect({ timeoutMs: 0 });
    await cleanup(target, scenario, expand);
  }
  return { base, observations };
}

interface StepContext {
  readonly expand: (text: string) => string;
  readonly opened: Map<string, OpenResponse>;
  readonly base: number;
  readonly label: string;
}

async function runStep(
  target: HttpTarget,
  step: Step,
  context: StepContext,
): Promise<Observation | null> {
  const { expand, opened, base, label } = context;
  switch (step.kind) {
    case 'http': {
      const response = await send(target, requestOf(step, expand), stepTimeoutMs);
      if (step.quiet === true) return null;
      const sortListings = !asksSorted(step.path);
      return normalize(label, response, base, {
        mask: step.mask ?? 'exact',
        withEnded: false,
        sortListings,
      });
    }
    case 'open': {
      const request = { method: step.method ?? 'GET', path: expand(step.path) };
      opened.set(step.id, await openRequest(target, request, stepTimeoutMs));
      return null;
    }
    case 'collect': {
      const response = opened.get(step.id);
      if (response === undefined) throw new Error(`collect of unopened ${step.id}`);
      opened.delete(step.id);
      const options = {
        timeoutMs: step.waitMs,
        ...(step.lines === undefined ? {} : { lines: step.lines }),
      };
      const observed = await response.collect(options);
      return normalize(label, observed, base, {
        mask: 'exact',
        withEnded: true,
        sortListings: true,
      });
    }
    case 'sleep':
      await new Promise((resolve) => setTimeout(resolve, step.ms));
      return null;
    case 'bulk':
      for (let n = 1; n <= step.count; n++) {
        const path = expand(step.path.replaceAll('{n}', String(n)));
        const body = step.body?.replaceAll('{n}', String(n));
        const headers =
          body === undefined ? undefined : { 'Content-Type': 'application/x-www-form-urlencoded' };
        await send(target, {
          method: step.method,
          path,
          ...(body === undefined ? {} : { body }),
          ...(headers ? { headers } : {}),
        });
      }
      return null;
  }
}

/** True when the request asks for sorted listings (then their order is compared). */
function asksSorted(path: string): boolean {
  return /[?&]sorted=(1|t|T|TRUE|true|True)(&|$)/.test(path);
}

function requestOf(step: HttpStep, expand: (text: string) => string): RawRequest {
  const contentType = contentTypeOf(step);
  return {
    method: step.method,
    path: expand(step.path),
    ...(step.body === undefined ? {} : { body: expand(step.body) }),
    ...(contentType === undefined ? {} : { headers: { 'Content-Type': contentType } }),
  };
}

export function expandTemplate(text: string, prefix: string, base: number): string {
  const withPrefix = text.startsWith('~') ? `/v2/keys/${prefix}${text.slice(1)}` : text;
  return withPrefix
    .replace(/\{k\+(\d+)\}/g, (_whole, n: string) => String(base + Number(n)).padStart(20, '0'))
    .replace(/\{\+(\d+)\}/g, (_whole, n: string) => String(base + Number(n)));
}

async function currentIndex(target: HttpTarget): Promise<number> {
  const response = await send(target, { method: 'GET', path: '/v2/keys/' });
  const index = Number(response.headers['x-etcd-index']);
  if (!Number.isSafeInteger(index)) throw new Error(`no X-Etcd-Index: ${response.status}`);
  return index;
}

async function cleanup(
  target: HttpTarget,
  scenario: Scenario,
  expand: (text: string) => string,
): Promise<void> {
  for (const path of ['~', ...(scenario.cleanup ?? [])]) {
    await send(target, { method: 'DELETE', path: expand(path) + '?recursive=true' });
  }
}

function describe(step: Step): string {
  switch (step.kind) {
    case 'http':
      if (step.body === undefined) return `${step.method} ${step.path}`;
      return `${step.method} ${step.path} [${step.body.slice(0, 60)}]`;
    case 'open':
      return `open ${step.id} ${step.path}`;
    case 'collect':
      return `collect ${step.id}`;
    case 'sleep':
      return `sleep ${step.ms}`;
    case 'bulk':
      return `bulk ${step.count} ${step.method} ${step.path}`;
  }
}
