# syntax=docker/dockerfile:1.7
# Sextant controller image.
#   docker build -t ghcr.io/sextant-ml/sextant:0.1.0 .
# Stage 1 builds one `sextant` binary with the Swift runtime and Foundation linked in statically
# (--static-swift-stdlib); it still links glibc and libstdc++ dynamically, so stage 2 is
# distroless/cc (glibc, libstdc++, CA certificates, tzdata; no shell, no package manager) running
# as the unprivileged "nonroot" user 65532.
# Both stages are Debian 12 on purpose: a binary built against a newer glibc (e.g. Ubuntu 24.04's
# 2.39) can need symbol versions that the runtime's glibc 2.36 lacks and fail to start.

ARG SWIFT_VERSION=6.3.1
ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian12:nonroot

FROM swift:${SWIFT_VERSION}-bookworm AS build
WORKDIR /src
# Dependencies first, so source edits do not refetch them. The checkouts live in the same build
# cache as the build itself (a cache mount hides whatever an earlier layer wrote to that path).
COPY Package.swift Package.resolved* ./
RUN --mount=type=cache,target=/src/.build,id=sextant-build \
    swift package resolve
# Package.swift declares the test and benchmark targets too; SwiftPM needs their folders to exist.
COPY Sources ./Sources
COPY Benchmarks ./Benchmarks
COPY Tests ./Tests
RUN --mount=type=cache,target=/src/.build,id=sextant-build \
    swift build -c release --static-swift-stdlib --product sextant -Xlinker -s \
    && install -D -m 0755 "$(swift build -c release --show-bin-path)/sextant" /out/sextant \
    && /out/sextant --help > /dev/null

FROM ${RUNTIME_IMAGE}
LABEL org.opencontainers.image.title="sextant" \
      org.opencontainers.image.description="Sextant: ML pipelines, model registry and retraining as a Kubernetes operator" \
      org.opencontainers.image.source="https://github.com/sextant-ml/sextant"
COPY --from=build /out/sextant /usr/local/bin/sextant
# Numeric, so kubelet's runAsNonRoot check can verify it without reading /etc/passwd.
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT ["/usr/local/bin/sextant"]
# The chart's default arguments (it sets its own; this is for `docker run` and plain pods):
# metrics and probes on all interfaces, since the binary's default metrics address is loopback.
CMD ["controller", "--leader-elect", "--metrics-bind-address", ":8080", "--health-probe-bind-address", ":8081"]
