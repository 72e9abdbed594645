# fieldclinic server image: one binary, embedded migrations, SQLite data on a volume.
# Build: docker build -t fieldclinic .
# Run:   docker run -p 8080:8080 -v fieldclinic-data:/data fieldclinic

FROM rust:1.95-slim-bookworm AS chef
RUN cargo install cargo-chef --locked
WORKDIR /app

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
COPY --from=planner /app/recipe.json recipe.json
# Dependencies first, cached until Cargo.lock changes.
RUN cargo chef cook --release --recipe-path recipe.json
COPY . .
RUN cargo build --release --locked -p fieldclinic-server --bin fieldclinic

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin fieldclinic \
    && mkdir -p /data && chown fieldclinic /data
COPY --from=builder /app/target/release/fieldclinic /usr/local/bin/fieldclinic
COPY configuration/fieldclinic.example.toml /etc/fieldclinic/fieldclinic.toml
USER fieldclinic
WORKDIR /data
VOLUME ["/data"]
# Inside a container the listener must face the container network. Plain HTTP there is only
# acceptable behind a TLS-terminating proxy; otherwise mount a certificate and set
# FIELDCLINIC_SERVER__TLS_CERT / FIELDCLINIC_SERVER__TLS_KEY and drop the proxy flag.
ENV FIELDCLINIC_BIND=0.0.0.0:8080 \
    FIELDCLINIC_DATABASE_URL=sqlite:///data/fieldclinic.db \
    FIELDCLINIC_SERVER__BEHIND_TLS_PROXY=true \
    FIELDCLINIC_LOG__FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["fieldclinic"]
CMD ["serve", "--config", "/etc/fieldclinic/fieldclinic.toml"]
