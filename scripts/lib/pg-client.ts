import pg from 'pg';

/**
 * Runs `work` on a client of its own connected to `url`, and always closes it: for scripts, dev
 * tooling and tests that need one session (DDL, admin statements, BEGIN … COMMIT). A connection the
 * server cuts (restart, terminate) rejects the query in hand; the listener keeps it from also
 * surfacing as an unheard 'error' event.
 */
export async function withPgClient<T>(url: string, work: (client: pg.Client) => Promise<T>, options: Omit<pg.ClientConfig, 'connectionString'> = {}): Promise<T> {
  const client = new pg.Client({ ...options, connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}
