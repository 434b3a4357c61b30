/**
 * The exit guard on its own, in throwaway Node processes (a guard that failed would end the
 * process running it): inside a session's async context every exit spelling ends the session;
 * outside, the functions behave as before; releasing the guard puts the originals back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const guardModule = path.resolve(import.meta.dirname, '../../src/repl/session-guard.ts');

/** Runs an ES module body with `holdExitGuard` and `runInSession` imported; its exit code and output. */
function run(body: string): { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string } {
  const source = `import { holdExitGuard, runInSession } from ${JSON.stringify(guardModule)};\n${body}`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', source], { encoding: 'utf8', timeout: 10_000, env: { PATH: process.env.PATH ?? '' } });
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

test('inside a session every spelling ends the session, and the process goes on', () => {
  const result = run(`
    import { createRequire } from 'node:module';
    const require = createRequire(import.meta.url);
    holdExitGuard();
    const ended = [];
    const session = { end: (call) => ended.push(call) };
    const { exit: namedExit, kill: namedKill } = await import('node:process');
    runInSession(session, () => {
      process.exit(3);
      require('node:process').exit(3);
      namedExit(3);
      process.reallyExit(3);
      process.abort();
      process.kill(process.pid, 'SIGKILL');
      namedKill(0, 'SIGTERM');
      process.kill(-process.pid, 9);
      process._kill(process.pid, 9);
      process.kill(process.pid, 0); // a probe, not an exit: passes through
    });
    await runInSession(session, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      process.exit(4);
    });
    await new Promise((resolve) => runInSession(session, () => setTimeout(() => { process.exit(5); resolve(); }, 5)));
    console.log(JSON.stringify(ended));
  `);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), [
    'process.exit()',
    'process.exit()',
    'process.exit()',
    'process.reallyExit()',
    'process.abort()',
    'process.kill() of the worker',
    'process.kill() of the worker',
    'process.kill() of the worker',
    'process._kill() of the worker',
    'process.exit()',
    'process.exit()',
  ]);
});

test('outside a session process.exit and process.kill work as before', () => {
  const exited = run(`holdExitGuard(); process.on('exit', (code) => console.log('exit event', code)); process.exit(7);`);
  assert.equal(exited.status, 7, exited.stderr);
  assert.equal(exited.stdout, 'exit event 7\n');
  const killed = run(`holdExitGuard(); runInSession({ end() {} }, () => {}); process.kill(process.pid, 'SIGTERM'); setTimeout(() => {}, 5000);`);
  assert.equal(killed.signal, 'SIGTERM', killed.stderr);
});

test('releasing the guard restores the originals, named ESM exports included', () => {
  const result = run(`
    const before = { exit: process.exit, reallyExit: process.reallyExit, abort: process.abort, kill: process.kill, _kill: process._kill };
    const releaseA = holdExitGuard();
    const releaseB = holdExitGuard();
    const wrapped = Object.keys(before).every((name) => process[name] !== before[name]);
    const named = (await import('node:process')).exit;
    const namedWrapped = named === process.exit && named !== before.exit;
    releaseA();
    releaseA(); // idempotent: B still holds it
    const stillWrapped = process.exit !== before.exit;
    releaseB();
    const restored = Object.keys(before).every((name) => process[name] === before[name]);
    const namedAfter = (await import('node:process')).exit;
    console.log(JSON.stringify({ wrapped, namedWrapped, stillWrapped, restored, namedRestored: namedAfter === before.exit }));
  `);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), { wrapped: true, namedWrapped: true, stillWrapped: true, restored: true, namedRestored: true });
});
