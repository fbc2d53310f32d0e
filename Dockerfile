# mysql-proxy container image: build on Debian 12, run on bookworm-slim with only the shared
# libraries the binary links against.
#
#   DOCKER_BUILDKIT=1 docker build -t mysql-proxy:latest .
#   docker run --rm -v $PWD/proxy.yaml:/etc/mysql-proxy/proxy.yaml:ro -p 3306:3306 -p 9180:9180 mysql-proxy:latest
#
# --build-arg PROXY_BINARIES=prebuilt takes binaries built outside instead (scripts/containers.sh
# does, from the test build of the same tree on the same Debian): the build context is then a
# folder holding build/proxy/mysql-proxy and build/proxy/mysql-proxy-epoll. BuildKit builds
# only the stages the image needs, so the compile stage is skipped then.
ARG PROXY_BINARIES=build

# ---------------------------------------------------------------------------------------- build
FROM debian:bookworm AS build
# The same -dev packages scripts/setup.sh installs for the proxy (no test or bench libraries).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      g++ cmake make pkg-config \
      libboost1.81-dev libboost-json1.81-dev libssl-dev default-libmysqlclient-dev \
      libyaml-cpp-dev libspdlog-dev libfmt-dev liburing-dev zlib1g-dev libzstd-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src
# Only what the mysql-proxy target compiles: the cache survives edits to tests, docs and k8s/.
COPY CMakeLists.txt ./
COPY protocol/ protocol/
COPY config/ config/
COPY proxy/ proxy/
# Tests and benchmarks off: their dependencies (GTest, Google Benchmark) are not installed.
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release \
      -DMYSQLPROXY_BUILD_TESTS=OFF -DMYSQLPROXY_BUILD_BENCH=OFF \
 && cmake --build /build --target mysql-proxy mysql-proxy-epoll -j"$(nproc)" \
 && strip /build/proxy/mysql-proxy /build/proxy/mysql-proxy-epoll

FROM scratch AS prebuilt
COPY build/proxy/mysql-proxy build/proxy/mysql-proxy-epoll /build/proxy/

FROM ${PROXY_BINARIES} AS binaries

# -------------------------------------------------------------------------------------- runtime
FROM debian:bookworm-slim
# Exactly the shared libraries `ldd mysql-proxy` lists (libstdc++, zlib and libc are in the
# base image). ca-certificates for TLS to backends once that lands.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libboost-json1.81.0 libssl3 libmariadb3 libyaml-cpp0.7 libspdlog1.10 libfmt9 liburing2 libzstd1 \
      ca-certificates \
 && rm -rf /var/lib/apt/lists/*

# A fixed non-root uid so Kubernetes' runAsNonRoot/runAsUser can be checked against it.
RUN groupadd --system --gid 10001 mysql-proxy \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin mysql-proxy

# mysql-proxy runs on io_uring; where the container runtime's seccomp profile forbids io_uring
# (containerd's and Docker's defaults do) it hands over to mysql-proxy-epoll beside it.
COPY --from=binaries /build/proxy/mysql-proxy /build/proxy/mysql-proxy-epoll /usr/local/bin/
# Every library the binaries need is in the image.
RUN ! ldd /usr/local/bin/mysql-proxy /usr/local/bin/mysql-proxy-epoll | grep 'not found'

USER 10001:10001
# 3306: MySQL clients; 9180: admin API (probes, /metrics).
EXPOSE 3306 9180
ENTRYPOINT ["/usr/local/bin/mysql-proxy"]
CMD ["--config", "/etc/mysql-proxy/proxy.yaml"]
