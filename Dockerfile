# syntax=docker/dockerfile:1.7
# Sextant controller image.
#   docker build -t ghcr.io/sextant-ml/sextant:0.1.0 .
# Stage 1 builds one statically linked (Swift runtime and Foundation included) `sextant` binary;
# stage 2 is distroless/cc (glibc, libstdc++, CA certificates, tzdata; no shell, no package
# manager) running as the unprivileged "nonroot" user 65532.

ARG SWIFT_VERSION=6.3.1
ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian12:nonroot

FROM swift:${SWIFT_VERSION}-noble AS build
WORKDIR /src
# Dependencies first, so source edits do not refetch them.
COPY Package.swift Package.resolved* ./
RUN swift package resolve
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
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT ["/usr/local/bin/sextant"]
CMD ["controller", "--leader-elect"]
