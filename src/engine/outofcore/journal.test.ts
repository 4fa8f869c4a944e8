/** FileJournal: records survive reopening; a torn or corrupt tail is cut and never trusted. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileJournal, MemoryJournal } from './journal.js';

function scratchFile(): { path: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ms-journal-'));
  return { path: join(dir, 'journal'), done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('records survive reopening, in order, with forget', async () => {
  const { path, done } = scratchFile();
  const journal = await FileJournal.open(path);
  assert.equal(journal.durable, true);
  await journal.set('pow:step', '1');
  await journal.set('mul:a:0', 'x');
  await journal.set('mul:a:1', 'y');
  await journal.set('pow:step', '2');
  await journal.forget('mul:');
  await journal.close();
  const again = await FileJournal.open(path);
  assert.equal(again.get('pow:step'), '2');
  assert.equal(again.get('mul:a:0'), undefined);
  assert.deepEqual(again.entries(), [['pow:step', '2']]);
  assert.deepEqual(again.replay, { records: 5, discardedBytes: 0 });
  await again.close();
  done();
});

test('a torn last record is cut off the file and ignored', async () => {
  const { path, done } = scratchFile();
  const journal = await FileJournal.open(path);
  await journal.set('a', '1');
  await journal.set('b', '2');
  await journal.close();
  const size = statSync(path).size;
  truncateSync(path, size - 5); // a kill in the middle of the second append
  const again = await FileJournal.open(path);
  assert.equal(again.get('a'), '1');
  assert.equal(again.get('b'), undefined);
  assert.ok(again.replay.discardedBytes > 0);
  await again.set('c', '3'); // appends after the cut, not after the torn bytes
  await again.close();
  const third = await FileJournal.open(path);
  assert.deepEqual(third.entries(), [['a', '1'], ['c', '3']]);
  assert.equal(third.replay.discardedBytes, 0);
  await third.close();
  done();
});

test('a record whose hash does not match ends the journal (it and what follows are discarded)', async () => {
  const { path, done } = scratchFile();
  const journal = await FileJournal.open(path);
  await journal.set('a', '1');
  await journal.set('b', '2');
  await journal.set('c', '3');
  await journal.close();
  const lines = readFileSync(path, 'utf8').split('\n');
  lines[1] = lines[1]!.replace('"2"', '"9"'); // a damaged middle record
  writeFileSync(path, lines.join('\n'));
  appendFileSync(path, 'garbage without a newline');
  const again = await FileJournal.open(path);
  assert.deepEqual(again.entries(), [['a', '1']]);
  await again.close();
  assert.equal(readFileSync(path, 'utf8').split('\n').filter(Boolean).length, 1, 'the file was cut after the last good record');
  done();
});

test('MemoryJournal keeps nothing durable', async () => {
  const journal = new MemoryJournal();
  await journal.set('k', 'v');
  assert.equal(journal.durable, false);
  assert.equal(journal.get('k'), 'v');
  await journal.forget('k');
  assert.equal(journal.get('k'), undefined);
});

test('lazy appends (no flush) are written in order and replay like synced ones; a hole ends the journal there', async () => {
  const { path, done } = scratchFile();
  const journal = await FileJournal.open(path);
  await journal.set('a', '1', { sync: false });
  await journal.set('b', '2', { sync: false });
  await journal.forget('a', { sync: false });
  await journal.set('c', '3'); // a synced append makes the earlier ones durable too
  await journal.close();
  const text = readFileSync(path, 'latin1');
  const again = await FileJournal.open(path);
  assert.deepEqual(again.entries(), [['b', '2'], ['c', '3']]);
  await again.close();
  // A power loss that lost the second record's block but kept the third: zeros where it was.
  const lines = text.split('\n');
  const second = lines[0]!.length + 1;
  writeFileSync(path, text.slice(0, second) + '\0'.repeat(lines[1]!.length + 1) + text.slice(second + lines[1]!.length + 1), 'latin1');
  const holed = await FileJournal.open(path);
  assert.deepEqual(holed.entries(), [['a', '1']], 'records after the hole are never trusted');
  assert.equal(statSync(path).size, second, 'the hole and what follows are cut off');
  await holed.close();
  done();
});
