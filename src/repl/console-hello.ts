/**
 * The one line `npm run console` sends before any keystroke, so the worker's REPL knows whether a
 * terminal is attached (line editing, completion, colours) and how wide it is. A client that sends
 * no hello (socat, nc) gets a terminal session after a short wait.
 */

/** Starts the hello line; a control character no one types at a prompt. */
export const HELLO_PREFIX = '\u0000trademachine-console ';

export interface ConsoleHello {
  /** The client's stdin is a TTY: raw keystrokes come, so the REPL does the line editing. */
  readonly terminal: boolean;
  readonly columns?: number | undefined;
}

/** The hello line for this client. */
export function helloLine(hello: ConsoleHello): string {
  return `${HELLO_PREFIX}${JSON.stringify(hello)}\n`;
}

/** Reads a hello line; undefined when the text is not one. */
export function parseHello(line: string): ConsoleHello | undefined {
  if (!line.startsWith(HELLO_PREFIX)) return undefined;
  try {
    const raw = JSON.parse(line.slice(HELLO_PREFIX.length)) as { terminal?: unknown; columns?: unknown };
    const columns = typeof raw.columns === 'number' && raw.columns > 0 ? Math.floor(raw.columns) : undefined;
    return { terminal: raw.terminal === true, columns };
  } catch {
    return undefined;
  }
}
