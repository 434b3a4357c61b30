/** The fake upstreams' loopback listener lives with the stand-ins in dev/; re-exported for the test fakes here. */
export { listenOnLoopback } from '../../dev/loopback-server.ts';
