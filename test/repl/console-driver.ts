/**
 * A small expect helper for console sessions: feeds lines in, collects what comes out, and waits
 * for text or for the prompt, with ANSI escapes stripped so terminal sessions read as plain text.
 */
import type { Readable, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

export const PROMPT = 'trademachine> ';

// eslint-disable-next-line no-control-regex
const ansi = /\u001b\[[0-9;?]*[A-Za-z]|\u001b[=>]/g;

export class ConsoleDriver {
  #raw = '';
  #ended = false;
  readonly #input: Writable;

  constructor(output: Readable, input: Writable) {
    this.#input = input;
    output.on('data', (chunk: Buffer) => (this.#raw += chunk.toString('utf8')));
    output.once('end', () => (this.#ended = true));
    output.once('close', () => (this.#ended = true));
  }

  /** Everything received so far, escapes removed. */
  get text(): string {
    return this.#raw.replace(ansi, '');
  }

  get ended(): boolean {
    return this.#ended;
  }

  write(data: string): void {
    this.#input.write(data);
  }

  /** Waits until the text after `from` matches. */
  async waitFor(pattern: RegExp | string, from = 0, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const tail = this.text.slice(from);
      if (typeof pattern === 'string' ? tail.includes(pattern) : pattern.test(tail)) return tail;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(pattern)}; console said:\n${tail}`);
      await sleep(20);
    }
  }

  async waitForEnd(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#ended) {
      if (Date.now() > deadline) throw new Error(`session did not end; console said:\n${this.text}`);
      await sleep(20);
    }
  }

  /** Sends one input line and returns what the REPL printed before the next prompt. */
  async evaluate(input: string, timeoutMs = 15_000): Promise<string> {
    const from = this.text.length;
    this.write(`${input}\n`);
    const tail = await this.waitFor(PROMPT, from, timeoutMs);
    return tail.slice(0, tail.indexOf(PROMPT));
  }
}

/** Resolves as `promise` does, or rejects naming `what` after `timeoutMs`: a test that waits never hangs. */
export async function within<T>(promise: Promise<T>, what: string, timeoutMs = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
