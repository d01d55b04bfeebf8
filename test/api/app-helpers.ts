// Helpers for the gateway's in-process tests: an app over a FakeBackend, inject shorthands
// for form requests, and parsers for etcd answers.

import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { type AppOptions, buildApp } from '../../src/api/app.js';
import { FakeBackend, type FakeBackendOptions } from './fake-backend.js';

export const version = { etcdserver: '3.4.23', etcdcluster: '3.4.0', kvd: '0.1.0' };

export interface TestApp {
  readonly app: FastifyInstance;
  readonly backend: FakeBackend;
  /** A request; `form` is sent as an x-www-form-urlencoded body. */
  request(
    method: string,
    url: string,
    form?: string,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export function makeApp(
  backendOptions: FakeBackendOptions = {},
  appOptions: Partial<AppOptions> = {},
): TestApp {
  const backend = new FakeBackend(backendOptions);
  const app = buildApp(backend, { version, ...appOptions });
  return {
    app,
    backend,
    request: (method, url, form, headers = {}) => {
      const options: InjectOptions = {
        method: method as InjectOptions['method'],
        url,
        headers: { ...headers },
      };
      if (form !== undefined) {
        options.payload = form;
        options.headers = { 'content-type': 'application/x-www-form-urlencoded', ...headers };
      }
      return app.inject(options);
    },
    close: async () => {
      await app.close();
      backend.close();
    },
  };
}

export interface EtcdError {
  readonly errorCode: number;
  readonly message: string;
  readonly cause?: string;
  readonly index: number;
}

/** Parses an etcd error answer and checks its status and shape. */
export function errorOf(response: LightMyRequestResponse, status: number): EtcdError {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toBe('application/json');
  expect(response.body.endsWith('\n')).toBe(true);
  expect(response.headers['x-raft-index']).toBeUndefined();
  expect(response.headers['x-raft-term']).toBeUndefined();
  const error = JSON.parse(response.body) as EtcdError;
  expect(response.headers['x-etcd-index']).toBe(String(error.index));
  return error;
}

export interface EtcdEvent {
  readonly action: string;
  readonly node?: Record<string, unknown>;
  readonly prevNode?: Record<string, unknown>;
}

/** Parses an etcd event answer and checks its status and headers. */
export function eventOf(response: LightMyRequestResponse, status: number): EtcdEvent {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toBe('application/json');
  expect(response.body.endsWith('\n')).toBe(true);
  expect(response.headers['x-raft-index']).toMatch(/^\d+$/);
  expect(response.headers['x-raft-term']).toMatch(/^\d+$/);
  expect(response.headers['x-etcd-cluster-id']).toMatch(/^[0-9a-f]+$/);
  return JSON.parse(response.body) as EtcdEvent;
}
