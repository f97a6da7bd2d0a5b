# syntax=docker/dockerfile:1
# The gateway's image (docs/operations.md): built the way CI builds the gateway (.ci/run: npm ci, npm run build)
# and installed the way CI's production-install test installs it (scripts/production-install.sh), so the image
# runs exactly what the tests ran. test/deploy/ checks this file, since no container runtime runs in CI.

# --- build: the whole toolchain. better-sqlite3 builds from source on Node 20 (python3, make, g++).
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund
RUN npm run build
# package files, openapi/, dist/ and `npm ci --omit=dev` into /app, better-sqlite3's binary handed over.
RUN bash scripts/production-install.sh /src /app

# --- runtime: Node and the production install; no compiler, no dev dependency, not root.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=build /app /app
# DATABASE_URL's default (sqlite:./data/gateway.db) lives here: the one folder the gateway's user may write.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
USER node
EXPOSE 3000
# Ready (store reachable, configuration loaded, not overloaded) or not, without curl: Node's own fetch.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT||3000}/readyz`,{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# npm start's command, without npm in between (signals reach node: a graceful close on docker stop).
CMD ["node", "--max-semi-space-size=8", "dist/server/server.js"]
