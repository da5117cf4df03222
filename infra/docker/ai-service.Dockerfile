# syntax=docker/dockerfile:1.7
# Image for ai-service and its analysis worker (same image; the worker runs dist/worker.js).
# Build from the repository root: docker build -f infra/docker/ai-service.Dockerfile -t mna/ai-service .
# Only @mna/ai-service's dependency closure is installed (pnpm --filter) and deployed (its build).
ARG NODE_IMAGE=node:20.20-bookworm-slim

FROM ${NODE_IMAGE} AS base
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH CI=true
RUN corepack enable
WORKDIR /repo

FROM base AS build
# The lockfile alone fills the store, so this layer is reused until a dependency changes.
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
RUN --mount=type=cache,id=pnpm,target=/pnpm/store pnpm fetch --frozen-lockfile
COPY . .
RUN --mount=type=cache,id=pnpm,target=/pnpm/store pnpm install --offline --frozen-lockfile --filter @mna/ai-service...
# The app's own build (infra/docker/build-app.mjs): bundle, then pnpm deploy of the production closure into dist.
RUN --mount=type=cache,id=pnpm,target=/pnpm/store pnpm --filter @mna/ai-service run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3002
WORKDIR /app
# dist is self-contained: the bundle, its package.json and the flat production node_modules.
COPY --from=build --chown=node:node /repo/apps/ai-service/dist ./dist
USER node
EXPOSE 3002
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself (runService drains, then exits).
CMD ["node", "--enable-source-maps", "dist/main.js"]
