# syntax=docker/dockerfile:1
# The pulsar-gate decision service image (`pulsar-gate-service serve`). Built from the
# repository root: `npm run image:service` (scripts/image/build.sh service), or
#   docker build -f deploy/service.Dockerfile -t pulsar-gate-service .
# Stage 1 bundles cli/service/main.ts with esbuild, as the pipe image's Dockerfile does (same
# first layers, so the two builds share their npm ci); stage 2 is the Node 24 slim base plus
# that bundle and the packages it keeps external: Cedar's wasm, which loads its .wasm file
# from its own package directory, and the native Pulsar client for pulsar:// URLs
# (pulsar-client and its runtime dependencies; scripts/image/native-runtime.sh says where it
# comes from: the prebuilt binary `npm ci` downloads, or this machine's build that
# scripts/image/build.sh stages in deploy/native/, or none). No other node_modules, no npm,
# no compilers.
FROM node:24-bookworm-slim AS build
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund && npm cache clean --force
COPY deploy/native/ ./native/
COPY scripts/image/native-runtime.sh ./scripts/image/native-runtime.sh
RUN sh scripts/image/native-runtime.sh
COPY tsconfig.json ./
COPY scripts/build.ts ./scripts/build.ts
COPY src ./src
COPY cli ./cli
COPY pipe ./pipe
RUN node scripts/build.ts service
# The bundle imports '@cedar-policy/cedar-wasm/nodejs' only (src/policy/cedar.ts): the esm/
# and web/ builds of the same wasm are 8 MB the service never loads.
RUN mkdir -p /runtime/node_modules/@cedar-policy && \
    cp -a node_modules/@cedar-policy/cedar-wasm /runtime/node_modules/@cedar-policy/ && \
    rm -rf /runtime/node_modules/@cedar-policy/cedar-wasm/esm /runtime/node_modules/@cedar-policy/cedar-wasm/web && \
    node -e "const p=require('./package-lock.json').packages['node_modules/@cedar-policy/cedar-wasm'];if(p.dependencies)throw new Error('cedar-wasm now has dependencies: copy them too')"

FROM node:24-bookworm-slim
LABEL org.opencontainers.image.title="pulsar-gate-service" \
      org.opencontainers.image.description="The pulsar-gate decision service: verifies requests, decides with Cedar policies, publishes signed decisions over Apache Pulsar" \
      org.opencontainers.image.licenses="Apache-2.0"
# npm and corepack are not needed at run time.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /opt/yarn* /usr/local/bin/yarn /usr/local/bin/yarnpkg && \
    mkdir -p /var/lib/pulsar-gate && chown node:node /var/lib/pulsar-gate && chmod 0700 /var/lib/pulsar-gate
# The native client's libpulsar.so when it is this machine's build (the prebuilt binary links
# it statically), and then the Debian libraries it links to (`ldd libpulsar.so`); the loader
# finds it through LD_LIBRARY_PATH (the addon's own rpath names the build machine's cache).
COPY --from=build /runtime/native/ /service/native/
RUN if [ -e /service/native/lib/libpulsar.so ]; then \
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        libcurl4 libprotobuf32 libsnappy1v5 libssl3 libzstd1 zlib1g >/dev/null && \
      apt-get clean && rm -rf /var/lib/apt/lists/* /var/log/apt /var/log/dpkg.log; \
    fi
ENV LD_LIBRARY_PATH=/service/native/lib
# Node resolves the external package from the bundle's directory upwards: /service/node_modules.
COPY --from=build /runtime/node_modules/ /service/node_modules/
COPY --from=build /build/dist/service/ /service/dist/
COPY LICENSE /service/
# pulsar-client's install step writes src/cert.pem (this node's CA roots, its default TLS
# trust) by loading the addon; --ignore-scripts skipped it for the machine's build. Running it
# here makes that file with the image's own node and fails the build if the addon does not load.
RUN [ ! -d /service/node_modules/pulsar-client ] || node /service/node_modules/pulsar-client/GenCertFile.js
ENV NODE_ENV=production
# A V8 compile cache made now by this image's node (scripts/image/warm-compile-cache.ts), so
# a replacement replica starts without compiling the bundle; read-only at run time.
ENV NODE_COMPILE_CACHE=/service/compile-cache
COPY scripts/image/warm-compile-cache.ts /tmp/warm-compile-cache.ts
RUN node /tmp/warm-compile-cache.ts /service/dist && rm /tmp/warm-compile-cache.ts
# The replay guard's state and the audit trail (the outbox its mirrors read) must survive a
# restart: one volume per replica, never shared between replicas.
ENV STATE_DIR=/var/lib/pulsar-gate
VOLUME ["/var/lib/pulsar-gate"]
# serve's own default is 127.0.0.1, right for a process on a host. In a container loopback is
# the container's own: probes, Prometheus and `docker run -p` reach it from outside, so the
# image listens on every interface (only /healthz, /readyz and /metrics are served there).
ENV HTTP_HOST=0.0.0.0 HTTP_PORT=9464
EXPOSE 9464
USER node
WORKDIR /var/lib/pulsar-gate
# The image has no curl: node fetches /healthz on loopback (0.0.0.0 includes it).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||9464)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "/service/dist/pulsar-gate-service.mjs"]
CMD ["serve"]
