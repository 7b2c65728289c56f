# syntax=docker/dockerfile:1
# AskDesk API image. Build: docker build -t askdesk .   Run: docker run -p 4000:4000 -v askdesk-data:/data askdesk

# Node 24, the active LTS line (Node 20, the machine's Debian default, is past its end of life).
# --- build: compiles TypeScript (and the web assets, when the project has them) with the dev dependencies ---
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm run build:web --if-present

# --- runtime: production dependencies and the compiled output only, as the unprivileged `node` user ---
FROM node:24-bookworm-slim AS runtime
ENV PORT=4000 DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The embedded database (when DATABASE_URL is unset) and the generated key pepper live in DATA_DIR.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 4000
# /healthz answers while the process is alive; node's own fetch, so the slim image needs no curl.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM drains in-flight requests for SHUTDOWN_GRACE_SECONDS (10 by default) and exits 0; node runs as PID 1
# without a shell in front, so the signal reaches it.
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]
