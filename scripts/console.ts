/**
 * npm run console [-- --socket <path>]
 *
 * Attaches this terminal to the running worker's REPL over its Unix socket (REPL_SOCKET_PATH,
 * default .run/repl.sock). Leaving (.exit, Ctrl-D) ends the session, never the worker.
 * Inside the container: docker exec -it <container> node scripts/console.ts
 *
 * Imports only Node built-ins and these repo files, so it runs in the production image.
 */
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { helloLine } from '../src/repl/console-hello.ts';
import { loadDevEnvFiles } from './lib/load-env-files.ts';

loadDevEnvFiles(path.resolve(import.meta.dirname, '..'));

const { values } = parseArgs({ options: { socket: { type: 'string', short: 's' }, help: { type: 'boolean', short: 'h' } } });
if (values.help) {
  process.stdout.write('usage: npm run console [-- --socket <path>]   (default: $REPL_SOCKET_PATH or .run/repl.sock)\n');
  process.exit(0);
}
const socketPath = path.resolve(values.socket ?? process.env.REPL_SOCKET_PATH ?? '.run/repl.sock');

const stdin = process.stdin;
const raw = stdin.isTTY === true;

/** Puts the terminal back as it was; safe to call twice. */
function restoreTerminal(): void {
  if (raw && stdin.isTTY) stdin.setRawMode(false);
}

function leave(code: number, message?: string): never {
  restoreTerminal();
  if (message) process.stderr.write(`${message}\n`);
  process.exit(code);
}

const socket = net.connect(socketPath);
socket.once('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') {
    leave(1, `no worker REPL at ${socketPath}: is the worker running with REPL_ENABLED? (or pass --socket <path>)`);
  }
  if (error.code === 'EACCES') leave(1, `permission denied on ${socketPath}: run the console as the user the worker runs as`);
  leave(1, `console connection failed: ${error.message}`);
});
socket.once('connect', () => {
  socket.write(helloLine({ terminal: raw, columns: process.stdout.columns }));
  if (raw) stdin.setRawMode(true);
  stdin.pipe(socket);
  socket.pipe(process.stdout);
});
socket.once('close', () => leave(0));
process.once('exit', restoreTerminal);
