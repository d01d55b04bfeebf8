// DELETE variants of the v2 store (delete, dir, recursive, compare-and-delete) against
// transcripts of real etcd 3.4.

import { describe, expect, it } from 'vitest';
import { ErrorCode, type V2Result } from '../../src/store/v2/index.js';
import { asError, asEvent, causeOf, Driver } from './v2-helpers.js';

describe('v2 store: delete', () => {
  it('v2 store: delete: a file; its node shows no value and the delete index', () => {
    const d = new Driver();
    d.put('/a', { value: '1' });
    expect(asEvent(d.del('/a')).json).toBe(
      '{"action":"delete","node":{"key":"/a","modifiedIndex":2,"createdIndex":1},' +
        '"prevNode":{"key":"/a","value":"1","modifiedIndex":1,"createdIndex":1}}',
    );
    const again = asError(d.del('/a'), ErrorCode.KeyNotFound);
    expect(again.json).toBe('{"errorCode":100,"message":"Key not found","cause":"/a","index":2}');
  });

  it('v2 store: delete: dir=true and recursive=true also delete a file', () => {
    const d = new Driver();
    d.put('/w2', { value: '1' });
    d.put('/n3', { value: '1' });
    expect(asEvent(d.del('/w2', { dir: true })).action).toBe('delete');
    expect(asEvent(d.del('/n3', { recursive: true })).action).toBe('delete');
  });

  it('v2 store: delete: a directory needs dir=true (102), and to be empty unless recursive', () => {
    const d = new Driver();
    d.put('/d', { dir: true });
    d.put('/d/x', { value: '1' });
    expect(asError(d.del('/d'), ErrorCode.NotAFile).cause).toBe('/d');
    const notEmpty = asError(d.del('/d', { dir: true }), ErrorCode.DirectoryNotEmpty);
    expect(notEmpty.json).toBe(
      '{"errorCode":108,"message":"Directory not empty","cause":"/d","index":2}',
    );
    expect(notEmpty.httpStatus).toBe(403);
    expect(asEvent(d.del('/d', { recursive: true })).json).toBe(
      '{"action":"delete","node":{"key":"/d","dir":true,"modifiedIndex":3,"createdIndex":1},' +
        '"prevNode":{"key":"/d","dir":true,"modifiedIndex":1,"createdIndex":1}}',
    );
    asError(d.get('/d/x'), ErrorCode.KeyNotFound);
  });

  it('v2 store: delete: hidden children still make a directory non-empty', () => {
    const d = new Driver();
    d.put('/w3/_x/y', { value: '1' });
    expect(causeOf(d.del('/w3/_x', { dir: true }), ErrorCode.DirectoryNotEmpty)).toBe('/w3/_x');
    asError(d.del('/w3', { dir: true }), ErrorCode.DirectoryNotEmpty);
  });

  it('v2 store: delete: an empty directory with dir=true', () => {
    const d = new Driver();
    d.put('/e', { dir: true });
    expect(asEvent(d.del('/e', { dir: true })).node).toEqual({
      key: '/e',
      dir: true,
      modifiedIndex: 2,
      createdIndex: 1,
    });
  });

  it('v2 store: delete: the root gives 107 whatever the flags', () => {
    const d = new Driver();
    for (const fields of [{}, { recursive: true }, { dir: true }]) {
      asError(d.del('/', fields), ErrorCode.RootReadOnly);
    }
  });

  it('v2 store: delete: through a file gives 104, below a missing dir 100 naming it', () => {
    const d = new Driver();
    d.put('/f', { value: '1' });
    expect(asError(d.del('/f/g'), ErrorCode.NotADirectory).cause).toBe('/f');
    expect(asError(d.del('/h/nope/x'), ErrorCode.KeyNotFound).cause).toBe('/h');
  });
});

describe('v2 store: compare-and-delete', () => {
  it('v2 store: cad: prevValue match deletes with action compareAndDelete', () => {
    const d = new Driver();
    d.put('/a', { value: '5' });
    expect(asEvent(d.del('/a', { prevValue: '5' })).json).toBe(
      '{"action":"compareAndDelete","node":{"key":"/a","modifiedIndex":2,"createdIndex":1},' +
        '"prevNode":{"key":"/a","value":"5","modifiedIndex":1,"createdIndex":1}}',
    );
  });

  it('v2 store: cad: mismatches give 101 naming each failed comparison', () => {
    const d = new Driver();
    d.put('/a', { value: '5' });
    const failed = (result: V2Result) => causeOf(result, ErrorCode.CompareFailed);
    expect(failed(d.del('/a', { prevValue: 'zz' }))).toBe('[zz != 5]');
    expect(failed(d.del('/a', { prevIndex: 3 }))).toBe('[3 != 1]');
    expect(failed(d.del('/a', { prevIndex: 3, prevValue: 'q' }))).toBe('[q != 5] [3 != 1]');
    expect(asEvent(d.del('/a', { prevIndex: 1 })).action).toBe('compareAndDelete');
  });

  it('v2 store: cad: a directory gives 102 even with recursive; the root 102 without cause', () => {
    const d = new Driver();
    d.put('/n8/a', { value: '1' });
    asError(d.del('/n8', { prevValue: '1', recursive: true }), ErrorCode.NotAFile);
    asError(d.del('/n8', { prevIndex: 1, dir: true }), ErrorCode.NotAFile);
    const root = asError(d.del('/', { prevValue: '1' }), ErrorCode.NotAFile);
    expect(root.json).toBe('{"errorCode":102,"message":"Not a file","index":1}');
  });

  it('v2 store: cad: a missing key gives 100', () => {
    const d = new Driver();
    expect(asError(d.del('/nope', { prevIndex: 11 }), ErrorCode.KeyNotFound).cause).toBe('/nope');
  });
});
