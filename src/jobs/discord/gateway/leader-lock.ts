/**
 * Which worker process holds the Discord Gateway connection (issue 11): the one holding a
 * PostgreSQL session advisory lock, taken on a dedicated connection (not a pool's: a pooled
 * connection goes back to the pool with the lock still held, or is closed under it).
 *
 * Bound on a takeover: a process that stops releases the lock (pg_advisory_unlock) after closing its
 * Gateway connection; a process that dies loses it when PostgreSQL sees its connection gone, which
 * for a killed process (kill -9, crash) is at once (the OS closes the socket). Another process tries
 * every `retryMs`, so it takes over within `retryMs` + the time to connect to PostgreSQL and then to
 * the Gateway. A host that vanishes without closing its sockets is noticed through TCP keepalives on
 * both ends (the server's are set for this session): within 10 s + 3 × 5 s = 25 s more.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';

/** The lock's name; its key is derived from it, so every worker of this service agrees on it. */
export const GATEWAY_LOCK_NAME = 'trademachine-worker:discord-gateway';

/** A signed 64-bit key from a name: the first 8 bytes of its SHA-256 (as a decimal string, for `$1::bigint`). */
export function advisoryLockKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}

/** Seconds before the first keepalive probe, between probes, and probes lost before a connection counts as dead. */
export const LEADER_KEEPALIVE = { idleSeconds: 10, intervalSeconds: 5, count: 3 } as const;

export interface LeaderElectionOptions {
  readonly url: string;
  /** How often a follower tries to take the lock, and a leader checks its connection, in ms. */
  readonly retryMs: number;
  /** Called once this process holds the lock. */
  onLeader(): Promise<void>;
  /** Called once it no longer does (connection lost, or stop): before the lock is released. */
  onFollower(): Promise<void>;
  readonly log: Logger;
  /** The lock's name. Default: GATEWAY_LOCK_NAME. */
  readonly lockName?: string;
  /** Shown in pg_stat_activity. Default: trademachine-worker:discord-gateway. */
  readonly applicationName?: string;
}

export interface LeaderElection {
  /** Whether this process holds the lock now. */
  isLeader(): boolean;
  /** Steps down (onFollower) if leader, releases the lock and closes the connection; no retries after. */
  stop(): Promise<void>;
}

export function startLeaderElection(options: LeaderElectionOptions): LeaderElection {
  const { url, retryMs, log } = options;
  const key = advisoryLockKey(options.lockName ?? GATEWAY_LOCK_NAME);
  let client: pg.Client | undefined;
  let leader = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  // Every transition runs in turn, so a lost connection and a tick never interleave.
  let chain: Promise<void> = Promise.resolve();
  const serial = (work: () => Promise<void>): Promise<void> => {
    chain = chain.then(work).catch((error: unknown) => log.error({ err: error }, 'discord gateway leader election: unexpected error'));
    return chain;
  };

  const stepDown = async (reason: string): Promise<void> => {
    if (!leader) return;
    leader = false;
    log.warn({ reason }, 'discord gateway: no longer the leader');
    try {
      await options.onFollower();
    } catch (error) {
      log.error({ err: error }, 'discord gateway: stepping down failed');
    }
  };

  /** Drops the connection (and leadership with it): the server releases a session lock with its session. */
  const drop = async (lost: pg.Client, reason: string): Promise<void> => {
    if (client !== lost) return;
    client = undefined;
    await stepDown(reason);
    await lost.end().catch(() => {});
  };

  const connect = async (): Promise<pg.Client> => {
    const fresh = new pg.Client({
      connectionString: url,
      application_name: options.applicationName ?? 'trademachine-worker:discord-gateway',
      keepAlive: true,
      keepAliveInitialDelayMillis: LEADER_KEEPALIVE.idleSeconds * 1000,
      connectionTimeoutMillis: Math.max(retryMs, 5000),
      query_timeout: Math.max(retryMs, 5000),
      // The server's side of the keepalives: it releases the lock of a host that vanished.
      options: `-c tcp_keepalives_idle=${LEADER_KEEPALIVE.idleSeconds} -c tcp_keepalives_interval=${LEADER_KEEPALIVE.intervalSeconds} -c tcp_keepalives_count=${LEADER_KEEPALIVE.count}`,
    });
    // A connection the server cuts emits 'error' (when idle) and 'end': step down at once.
    fresh.on('error', (error) => {
      log.warn({ err: error }, 'discord gateway leader connection failed');
      void serial(() => drop(fresh, 'connection failed'));
    });
    fresh.on('end', () => void serial(() => drop(fresh, 'connection ended')));
    try {
      await fresh.connect();
    } catch (error) {
      await fresh.end().catch(() => {});
      throw error;
    }
    return fresh;
  };

  const tick = async (): Promise<void> => {
    if (stopped) return;
    let current = client;
    try {
      if (current === undefined) {
        current = await connect();
        if (stopped) {
          await current.end().catch(() => {});
          return;
        }
        client = current;
      }
      if (leader) {
        await current.query('SELECT 1');
        return;
      }
      const { rows } = await current.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [key]);
      if (rows[0]?.locked === true && client === current && !stopped) {
        leader = true;
        log.info('discord gateway: this process is the leader');
        try {
          await options.onLeader();
        } catch (error) {
          log.error({ err: error }, 'discord gateway: taking the lead failed');
        }
      }
    } catch (error) {
      log.warn({ err: error, leader }, 'discord gateway leader check failed; retrying with a new connection');
      if (current !== undefined) {
        if (client === current) await drop(current, 'check failed');
        else await current.end().catch(() => {});
      }
    }
  };

  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      void serial(tick).then(schedule);
    }, retryMs);
  };
  void serial(tick).then(schedule);

  let stopping: Promise<void> | undefined;
  return {
    isLeader: () => leader,
    stop: () => {
      stopping ??= (async () => {
        stopped = true;
        if (timer) clearTimeout(timer);
        await serial(async () => {
          const held = client;
          client = undefined;
          const wasLeader = leader;
          await stepDown('stopping');
          if (held === undefined) return;
          if (wasLeader) await held.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch(() => {});
          await held.end().catch(() => {});
        });
      })();
      return stopping;
    },
  };
}
