# Everything in one stage: compilers and headers ship in the image.
# expect: FROM: needs a build stage and a runtime stage
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

USER 10001:10001
ENTRYPOINT ["evalfleet"]
