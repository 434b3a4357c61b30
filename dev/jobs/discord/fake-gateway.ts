/**
 * A local stand-in for Discord's Gateway (v10, JSON encoding, no compression) that keeps its
 * contract for what the slash commands use: HELLO (op 10) on connect, IDENTIFY (op 2) checked for
 * the token and intents and answered with the READY dispatch (session_id, resume_gateway_url back
 * to itself), HEARTBEAT (op 1) answered with HEARTBEAT_ACK (op 11), RESUME (op 6) answered with the
 * missed dispatches and RESUMED (or INVALID_SESSION, op 9, for an unknown session), RECONNECT (op 7)
 * on request, and INTERACTION_CREATE dispatches with an increasing `s`. Close codes as Discord's:
 * 4002 decode error, 4003 not authenticated, 4004 authentication failed, 4005 already
 * authenticated, 4012 invalid API version, 4013 invalid intents.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { listenOnLoopback } from '../../loopback-server.ts';

export interface FakeGatewayOptions {
  /** The bot token IDENTIFY and RESUME must carry. Default: `fake-discord-token` (the fake REST's). */
  readonly token?: string;
  /** HELLO's heartbeat_interval, in ms. Default: 41250 (Discord's); tests use ~1000. */
  readonly heartbeatIntervalMs?: number;
  /** The application id READY announces. Default: 1100000000000000002. */
  readonly applicationId?: string;
}

export interface FakeIdentify {
  readonly token: string;
  readonly intents: number;
  readonly properties: unknown;
  readonly shard: unknown;
  readonly sessionId: string;
  /** performance.now() when it arrived. */
  readonly at: number;
}

export interface FakeResume {
  readonly sessionId: string;
  readonly seq: number;
  /** Whether it was accepted (RESUMED) or refused (INVALID_SESSION). */
  readonly accepted: boolean;
  readonly at: number;
}

export interface FakeGateway {
  /** `ws://127.0.0.1:<port>`: what GET /gateway/bot answers (fake Discord's setGatewayUrl). */
  readonly url: string;
  /** Sends INTERACTION_CREATE to every live session (and keeps it for a resume that missed it). */
  dispatchInteraction(interaction: unknown): void;
  /** Open sockets. */
  connections(): number;
  /** Open sockets with a session (identified or resumed). */
  sessions(): number;
  readonly identifies: FakeIdentify[];
  readonly resumes: FakeResume[];
  /** The query of every connection (`v`, `encoding`, `compress`). */
  readonly queries: Record<string, string>[];
  /** The close code of every socket that closed, in order (the client's, or the fake's own). */
  readonly closeCodes: number[];
  /** Heartbeats received. */
  heartbeats(): number;
  /** Closes every socket with this code (default 4000, unknown error: a resumable one). */
  closeAll(code?: number): void;
  /** Sends RECONNECT (op 7) to every socket. */
  requestReconnect(): void;
  close(): Promise<void>;
}

interface Session {
  readonly id: string;
  seq: number;
  /** Every dispatch sent in it, for a resume to replay what it missed. */
  readonly sent: { s: number; t: string; d: unknown }[];
  socket: WebSocket | undefined;
}

const READY_USER = { id: '1100000000000000001', username: 'TradeMachine (fake)', discriminator: '0000', global_name: null, avatar: null, bot: true };

export async function startFakeGateway(options: FakeGatewayOptions = {}): Promise<FakeGateway> {
  const token = options.token ?? 'fake-discord-token';
  const heartbeatInterval = options.heartbeatIntervalMs ?? 41_250;
  const applicationId = options.applicationId ?? '1100000000000000002';
  const identifies: FakeIdentify[] = [];
  const resumes: FakeResume[] = [];
  const queries: Record<string, string>[] = [];
  const closeCodes: number[] = [];
  const sessions = new Map<string, Session>();
  const sockets = new Set<WebSocket>();
  const sessionOf = new Map<WebSocket, Session>();
  let heartbeats = 0;

  const server = createServer((_req, res) => res.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket only'));
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  const listening = await listenOnLoopback(server);
  const url = listening.baseUrl.replace(/^http:/, 'ws:');

  const send = (socket: WebSocket, payload: { op: number; d: unknown; s?: number | null; t?: string | null }): void => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ s: null, t: null, ...payload }));
  };
  const dispatch = (session: Session, t: string, d: unknown): void => {
    session.seq += 1;
    const event = { s: session.seq, t, d };
    session.sent.push(event);
    if (session.socket) send(session.socket, { op: 0, ...event });
  };

  wss.on('connection', (socket, req) => {
    const query = Object.fromEntries(new URL(req.url ?? '/', 'ws://fake-gateway').searchParams);
    queries.push(query);
    if (query.v !== undefined && query.v !== '10') return socket.close(4012, 'Invalid API version');
    if ((query.encoding ?? 'json') !== 'json' || query.compress !== undefined) return socket.close(4002, 'Decode error: only json, uncompressed');
    sockets.add(socket);
    socket.on('close', (code) => {
      closeCodes.push(code);
      sockets.delete(socket);
      const session = sessionOf.get(socket);
      if (session && session.socket === socket) session.socket = undefined;
      sessionOf.delete(socket);
    });
    socket.on('error', () => {});
    socket.on('message', (raw) => {
      let payload: { op?: unknown; d?: Record<string, unknown> | null };
      try {
        payload = JSON.parse(String(raw)) as typeof payload;
      } catch {
        return socket.close(4002, 'Decode error');
      }
      const d = payload.d ?? {};
      switch (payload.op) {
        case 1:
          heartbeats += 1;
          return send(socket, { op: 11, d: null });
        case 2: {
          if (sessionOf.has(socket)) return socket.close(4005, 'Already authenticated');
          if (d.token !== token) return socket.close(4004, 'Authentication failed');
          if (typeof d.intents !== 'number' || !Number.isInteger(d.intents) || d.intents < 0) return socket.close(4013, 'Invalid intent(s)');
          const session: Session = { id: randomBytes(16).toString('hex'), seq: 0, sent: [], socket };
          sessions.set(session.id, session);
          sessionOf.set(socket, session);
          identifies.push({ token: d.token, intents: d.intents, properties: d.properties, shard: d.shard, sessionId: session.id, at: performance.now() });
          return dispatch(session, 'READY', {
            v: 10,
            user: READY_USER,
            guilds: [],
            session_id: session.id,
            resume_gateway_url: url,
            shard: Array.isArray(d.shard) ? d.shard : [0, 1],
            application: { id: applicationId, flags: 0 },
          });
        }
        case 6: {
          if (d.token !== token) return socket.close(4004, 'Authentication failed');
          const session = typeof d.session_id === 'string' ? sessions.get(d.session_id) : undefined;
          const seq = typeof d.seq === 'number' ? d.seq : 0;
          resumes.push({ sessionId: String(d.session_id), seq, accepted: session !== undefined, at: performance.now() });
          if (!session) return send(socket, { op: 9, d: false });
          if (session.socket && session.socket !== socket) session.socket.close(4000, 'Session resumed elsewhere');
          session.socket = socket;
          sessionOf.set(socket, session);
          for (const missed of session.sent.filter((event) => event.s > seq)) send(socket, { op: 0, ...missed });
          return dispatch(session, 'RESUMED', {});
        }
        default:
          if (!sessionOf.has(socket)) return socket.close(4003, 'Not authenticated');
          return socket.close(4001, 'Unknown opcode');
      }
    });
    send(socket, { op: 10, d: { heartbeat_interval: heartbeatInterval } });
  });

  return {
    url,
    dispatchInteraction: (interaction) => {
      for (const session of sessions.values()) if (session.socket) dispatch(session, 'INTERACTION_CREATE', interaction);
    },
    connections: () => sockets.size,
    sessions: () => [...sockets].filter((socket) => sessionOf.has(socket)).length,
    identifies,
    resumes,
    queries,
    closeCodes,
    heartbeats: () => heartbeats,
    closeAll: (code = 4000) => {
      for (const socket of sockets) socket.close(code, 'Closed by the fake Gateway');
    },
    requestReconnect: () => {
      for (const socket of sockets) send(socket, { op: 7, d: null });
    },
    close: async () => {
      for (const socket of sockets) socket.terminate();
      wss.close();
      await listening.close();
    },
  };
}
