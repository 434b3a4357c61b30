/** The compatibility table judges a type change by how the worker uses the column. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeTypeChange } from '../../src/db/schema-check/type-compatibility.ts';

const isEnum = (type: string) => type === 'SyncJobType' || type === 'job_kind';
const verdict = (from: string, to: string, ...uses: ('read' | 'filter' | 'update' | 'insert')[]) => judgeTypeChange(from, to, uses, isEnum).verdict;

test('integer to bigint is safe to filter on and write, breaking to read (pg returns int8 as a string)', () => {
  assert.equal(verdict('integer', 'bigint', 'filter'), 'safe');
  assert.equal(verdict('integer', 'bigint', 'update'), 'safe');
  assert.equal(verdict('integer', 'bigint', 'read', 'filter'), 'breaking');
});

test('strings, json and ids', () => {
  assert.equal(verdict('character varying', 'text', 'read', 'insert'), 'safe');
  assert.equal(verdict('character varying(40)', 'character varying(80)', 'insert'), 'safe');
  assert.equal(verdict('character varying', 'character varying(16)', 'read'), 'safe');
  assert.equal(verdict('character varying', 'character varying(16)', 'insert'), 'warning');
  assert.equal(verdict('json', 'jsonb', 'read'), 'safe');
  assert.equal(verdict('jsonb', 'json', 'read', 'update'), 'safe');
  assert.equal(verdict('jsonb', 'json', 'update', 'filter'), 'breaking');
  assert.equal(verdict('uuid', 'text', 'read', 'filter', 'insert'), 'safe');
});

test('time zones, arrays, enums and anything unlisted break', () => {
  assert.equal(verdict('timestamp without time zone', 'timestamp with time zone', 'read'), 'breaking');
  assert.equal(verdict('character varying[]', 'text[]', 'read'), 'safe');
  assert.equal(verdict('character varying[]', 'text', 'read'), 'breaking');
  assert.equal(verdict('SyncJobType', 'job_kind', 'insert'), 'breaking');
  assert.equal(verdict('SyncJobType', 'text', 'insert'), 'safe');
  assert.equal(verdict('SyncJobType', 'text', 'read'), 'warning');
  assert.deepEqual(judgeTypeChange('integer', 'text', ['read'], isEnum), { verdict: 'breaking', why: 'no rule says this change is safe; review it and add one to type-compatibility.ts' });
});
