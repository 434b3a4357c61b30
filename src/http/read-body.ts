import type { IncomingMessage } from 'node:http';

/**
 * Reads a request body up to `maxBytes`. A longer one, declared in Content-Length or streamed,
 * rejects with `tooLarge(message)` (the route's 413); the rest of it is drained, not kept, so the
 * answer still reaches the caller.
 */
export function readLimitedBody(request: IncomingMessage, maxBytes: number, tooLarge: (message: string) => Error): Promise<Buffer> {
  const message = `body larger than ${maxBytes} bytes`;
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge(message));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let overflowed = false;
    request.on('data', (chunk: Buffer) => {
      if (overflowed) return;
      size += chunk.length;
      if (size > maxBytes) {
        overflowed = true;
        chunks.length = 0;
        reject(tooLarge(message));
        return;
      }
      chunks.push(chunk);
    });
    request.once('end', () => resolve(Buffer.concat(chunks)));
    request.once('error', reject);
  });
}
