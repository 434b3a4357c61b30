/**
 * Preloaded (`--import`) into a worker under test: one ref'd timer, standing in for whatever else a
 * real worker's process holds open (the embedded PostgreSQL's pipes under `npm run dev`, sockets). With
 * it the process can only end through `process.exit`, never because its event loop ran dry.
 */
setInterval(() => {}, 60_000);
