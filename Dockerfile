# kvd: a Raft-replicated key/value store, compatible with etcd's v2 API.
FROM node:20-bookworm-slim
WORKDIR /kvd
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY test ./test
COPY bench ./bench
COPY proto ./proto
COPY bin ./bin
RUN npm ci && npm run build && npm prune --omit=dev
EXPOSE 2379 2380
VOLUME ["/data"]
HEALTHCHECK --interval=5s --timeout=3s --retries=5 \
  CMD node -e "fetch('http://127.0.0.1:2379/health').then(r=>r.json()).then(j=>process.exit(j.health==='true'?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/kvd.js"]
