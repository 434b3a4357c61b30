/**
 * Every column and enum label in the contract is used by the worker's code, so the drift check
 * never guards something the worker no longer needs (and never misses what it does: OwnerDb is
 * typed by the contract, so anything used is declared).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { contractEntries, contractPath, unusedContractEntries } from './support/contract-usage.ts';

const contract = await readFile(contractPath, 'utf8');

test('every contract entry is used by some query in src/ (else remove it from the contract)', () => {
  assert.ok(contractEntries(contract).length > 30, 'the contract was parsed');
  assert.deepEqual(unusedContractEntries(contract), [], 'contract entries no code uses: remove them from the contract and run "npm run schema:snapshot"');
});

test('a deliberately unused column is found, next to used columns and labels', () => {
  // Every label of the enums the contract names is written by some job now, so only a column can be made unused here.
  const withUnused = contract.replace("espnId: ['read', 'filter'],", "espnId: ['read', 'filter'],\n        status: ['read'],");
  assert.notEqual(withUnused, contract);
  const probed = new Set(['team.status', 'team.name', "SyncJobType 'minors_sync'", "SyncJobType 'espn_team_sync'"]);
  assert.deepEqual(unusedContractEntries(withUnused, (id) => probed.has(id)), ['team.status']);
});
