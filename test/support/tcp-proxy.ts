import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A loopback TCP proxy in front of the test PostgreSQL that a test can cut and restore: what a
 * database outage looks like from the worker's side (connections dropped, new ones refused),
 * without stopping the server every other test file shares.
 */
export interface TcpProxy {
  /** The target URL with its host and port replaced by the proxy's. */
  readonly url: string;
  /** Drops every open connection and refuses new ones. */
  cut(): void;
  /**
   * The network goes silent: open connections stop carrying bytes and new ones are accepted but
   * never forwarded, so whatever waits on the database waits until its own timeout, if any.
   */
  stall(): void;
  /** Accepts connections again. */
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<net.Socket>();
  let open = true;
  let stalled = false;
  const server = net.createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    if (stalled) {
      sockets.add(client);
      client.on('close', () => sockets.delete(client));
      client.on('error', () => {});
      return;
    }
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
    pairs.push({ client, upstream });
  });
  const pairs: { client: net.Socket; upstream: net.Socket }[] = [];
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as AddressInfo).port);
  return {
    url: url.toString(),
    cut: () => {
      open = false;
      for (const socket of sockets) socket.destroy();
    },
    stall: () => {
      stalled = true;
      for (const { client, upstream } of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    restore: () => {
      open = true;
      stalled = false;
    },
    close: async () => {
      open = false;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
