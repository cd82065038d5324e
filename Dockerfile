# evalfleet container image: one binary, every subcommand (run, produce, worker, aggregate,
# status, results, compare ...).
#   docker build -t evalfleet:latest .
#   docker run --rm evalfleet:latest help
# Both stages are Debian bookworm so the runtime libraries match the ones built against.

# ---- build ------------------------------------------------------------------------------
FROM debian:bookworm-slim AS build
# The build packages of scripts/install-deps.sh, without the test-only tools
# (clang, clang-format, libcmocka-dev, libclang-rt-14-dev, python3).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config \
      libcjson-dev libyaml-dev libutf8proc-dev libpcre2-dev libxxhash-dev \
      wordnet-dev wordnet-base libstemmer-dev \
      librdkafka-dev libcurl4-openssl-dev libhiredis-dev libevent-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEF_TESTS=OFF \
 && cmake --build /build --target evalfleet -j"$(nproc)" \
 && install -D -m 0755 /build/cli/evalfleet /out/evalfleet

# ---- runtime ----------------------------------------------------------------------------
FROM debian:bookworm-slim AS runtime
# Shared libraries only (Debian bookworm names), WordNet 3.0 data for METEOR
# (/usr/share/wordnet) and CA certificates for HTTPS judges and targets.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      librdkafka1 libcurl4 libcjson1 libhiredis0.14 libevent-2.1-7 libyaml-0-2 \
      libutf8proc2 libpcre2-8-0 libxxhash0 libstemmer0d wordnet-base ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 evalfleet \
 && useradd --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin evalfleet
COPY --from=build /out/evalfleet /usr/local/bin/evalfleet
# Fail the image build if the binary needs a library this stage does not install.
RUN if ldd /usr/local/bin/evalfleet | grep 'not found'; then exit 1; fi \
 && evalfleet help >/dev/null
# Numeric, so that Kubernetes' runAsNonRoot can verify it (k8s/ uses runAsUser 10001).
USER 10001:10001
WORKDIR /tmp
ENTRYPOINT ["evalfleet"]
CMD ["help"]
