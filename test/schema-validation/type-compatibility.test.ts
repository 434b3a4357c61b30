/** The compatibility table judges a type change by how the worker uses the column. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeTypeChange, modifierRules, parseType, sameType } from '../../src/db/schema-check/type-compatibility.ts';

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

test('timestamp and timestamp(6) are one type; so are time and time(6), with or without a zone', () => {
  const same = (a: string, b: string) => sameType(a, b, isEnum);
  assert.ok(same('timestamp without time zone', 'timestamp(6) without time zone'));
  assert.ok(same('timestamp(6) without time zone', 'timestamp without time zone'));
  assert.ok(same('timestamp with time zone', 'timestamp(6) with time zone'));
  assert.ok(same('time without time zone', 'time(6) without time zone'));
  assert.ok(same('time(6) with time zone', 'time with time zone'));
  assert.ok(same('timestamp(6) without time zone[]', 'timestamp without time zone[]'));
  assert.ok(same('interval', 'interval(6)'));
  assert.ok(!same('timestamp(3) without time zone', 'timestamp without time zone'));
  assert.ok(!same('timestamp(6) without time zone', 'timestamp(6) with time zone'));
  assert.ok(!same('time(6) without time zone', 'timestamp(6) without time zone'));
  // A length is not a precision: a bare varchar has no limit.
  assert.ok(same('character varying', 'character varying'));
  assert.ok(!same('character varying', 'character varying(255)'));
  assert.ok(!same('numeric(10,2)', 'numeric(10,3)'));
  assert.ok(!same('SyncJobType', 'job_kind'));
});

test('the precision is read wherever format_type writes it', () => {
  assert.deepEqual(parseType('timestamp(3) without time zone', isEnum), { base: 'timestamp without time zone', name: 'timestamp without time zone', modifier: '(3)', array: false });
  assert.deepEqual(parseType('time(0) with time zone[]', isEnum), { base: 'time with time zone', name: 'time with time zone', modifier: '(0)', array: true });
  assert.deepEqual(parseType('numeric(10,2)', isEnum), { base: 'numeric', name: 'numeric', modifier: '(10,2)', array: false });
  assert.deepEqual(parseType('SyncJobType[]', isEnum), { base: 'enum', name: 'SyncJobType', modifier: null, array: true });
  assert.ok(modifierRules.some((rule) => rule.types.includes('timestamp without time zone') && rule.implied === 6), 'the rule is data');
});

test('a lower precision rounds what the worker writes: a warning for writes, nothing lost on reads', () => {
  const rounds = 'a lower precision (3) rounds the fractional seconds of what the worker writes';
  assert.deepEqual(judgeTypeChange('timestamp(6) without time zone', 'timestamp(3) without time zone', ['insert'], isEnum), { verdict: 'warning', why: rounds });
  assert.deepEqual(judgeTypeChange('timestamp without time zone', 'timestamp(3) without time zone', ['update'], isEnum), { verdict: 'warning', why: rounds });
  assert.equal(verdict('timestamp(6) without time zone', 'timestamp(3) without time zone', 'read', 'filter'), 'safe');
  assert.equal(verdict('time(6) without time zone', 'time(0) without time zone', 'update'), 'warning');
  assert.equal(verdict('timestamp(6) with time zone', 'timestamp(0) with time zone', 'insert'), 'warning');
  assert.deepEqual(judgeTypeChange('timestamp(3) without time zone', 'timestamp without time zone', ['insert'], isEnum), { verdict: 'safe', why: 'a higher precision keeps every value the worker writes' });
  // A zone change stays breaking whatever the precision; a lower one is named too.
  assert.equal(verdict('timestamp(6) without time zone', 'timestamp with time zone', 'insert'), 'breaking');
  assert.match(judgeTypeChange('timestamp(6) without time zone', 'timestamp(3) with time zone', ['insert'], isEnum).why, /convention changes.*; a lower precision \(3\) rounds/);
  // Lengths keep their own rule.
  assert.deepEqual(judgeTypeChange('character varying', 'character varying(16)', ['insert'], isEnum), { verdict: 'warning', why: 'the new limit (16) may reject values the worker writes' });
});
