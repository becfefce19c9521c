# syntax=docker/dockerfile:1
# The pulsar-gate pipe image. Stage 1 bundles the entrypoint into one file with esbuild;
# stage 2 is the Node 24 slim base plus that file: no node_modules, no compilers, no
# package caches. Bitbucket runs it with the pipe variables as environment variables and
# the clone directory as the working directory.
FROM node:24-bookworm-slim AS build
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund && npm cache clean --force
COPY tsconfig.json ./
COPY scripts/build.ts ./scripts/build.ts
COPY src ./src
COPY cli ./cli
COPY pipe ./pipe
RUN node scripts/build.ts pipe

FROM node:24-bookworm-slim
LABEL org.opencontainers.image.title="pulsar-gate" \
      org.opencontainers.image.description="Gate a Bitbucket Pipelines step on OIDC identity and a signed policy decision over Apache Pulsar" \
      org.opencontainers.image.licenses="Apache-2.0"
# npm and corepack are not needed at run time.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /opt/yarn* /usr/local/bin/yarn /usr/local/bin/yarnpkg
COPY --from=build /build/dist/pipe/ /pipe/dist/
COPY pipe.yml README.md LICENSE /pipe/
ENV NODE_ENV=production
# A V8 compile cache made now, by this image's node, for every run's fresh container
# (scripts/image/warm-compile-cache.ts; bench/ measures it).
ENV NODE_COMPILE_CACHE=/pipe/compile-cache
COPY scripts/image/warm-compile-cache.ts /tmp/warm-compile-cache.ts
RUN node /tmp/warm-compile-cache.ts /pipe/dist && rm /tmp/warm-compile-cache.ts
ENTRYPOINT ["node", "/pipe/dist/pulsar-gate.mjs"]
