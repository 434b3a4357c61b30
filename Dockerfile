# The worker's image: Node 24 runs the TypeScript sources directly (type stripping, no build step).
FROM node:24-bookworm-slim

# Build identity for worker_build_info: docker build --build-arg BUILD_COMMIT=$(git rev-parse --short HEAD)
ARG BUILD_COMMIT=unknown
ENV NODE_ENV=production \
    BUILD_COMMIT=$BUILD_COMMIT \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=4100 \
    LOG_FORMAT=json
WORKDIR /app

COPY package.json package-lock.json ./
# Runtime dependencies only: Node comes from the image, and the embedded PostgreSQL is for dev and tests.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY src ./src
# The console client, for `docker exec -it <container> node scripts/console.ts`.
COPY scripts/console.ts ./scripts/console.ts
COPY scripts/lib/load-env-files.ts ./scripts/lib/load-env-files.ts

# The REPL socket's runtime folder (REPL_SOCKET_PATH defaults to .run/repl.sock), owned by the runtime user.
RUN mkdir -p /app/.run && chown node:node /app/.run && chmod 0700 /app/.run

USER node
EXPOSE 4100
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:4100/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# --disable-sigusr1: a signal must never open an inspector port in production.
# --max-semi-space-size=4: a small young generation keeps the players sync's peak RSS within 50 MB
# of idle (`npm run bench -- players`); the same flags as package.json's start script.
CMD ["node", "--disable-sigusr1", "--max-semi-space-size=4", "src/main.ts"]
