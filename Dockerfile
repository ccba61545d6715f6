# syntax=docker/dockerfile:1

# Build stage. The tag's major.minor matches go.mod's go line (compose_test.go checks
# it); the golang images set GOTOOLCHAIN=local, so the floating 1.26 tag (the newest
# 1.26.x patch) is what satisfies go.mod's patch requirement.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# Empty: the binary says the release of the source (passerelle.Version).
ARG VERSION=
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w ${VERSION:+-X main.version=${VERSION}}" \
        -o /passerelle ./cmd/passerelle

# Runtime stage. Alpine rather than distroless so that compose healthchecks can call
# busybox wget; its base already carries the CA bundle for TLS to managed services.
# The binary is self-contained: migrations and docs UI assets are go:embed-ded.
FROM alpine:3.22
RUN adduser -D -H -u 10001 passerelle
COPY --from=build /passerelle /usr/local/bin/passerelle
USER 10001:10001
# Inside a container the server must listen beyond loopback to be reachable.
ENV LISTEN_ADDR=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/passerelle"]
CMD ["serve"]
