# The creditnet API (creditnet serve). docker-compose.yml runs it against Neo4j; on its own it serves the
# embedded store in CREDITNET_HOME:  docker run -p 127.0.0.1:8000:8000 -v creditnet-home:/var/lib/creditnet creditnet
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    CREDITNET_HOME=/var/lib/creditnet

# A fixed non-root uid, so that volume ownership stays the same across rebuilds.
RUN groupadd --system --gid 10001 creditnet \
    && useradd --system --uid 10001 --gid creditnet --home-dir /var/lib/creditnet --no-create-home \
       --shell /usr/sbin/nologin creditnet \
    && mkdir -p /var/lib/creditnet \
    && chown creditnet:creditnet /var/lib/creditnet

# Runtime dependencies only: no [test] extras. The source is removed after installing.
WORKDIR /tmp/creditnet-src
COPY pyproject.toml README.md ./
COPY graph ./graph
COPY api ./api
COPY cli ./cli
RUN pip install . \
    && cd / && rm -rf /tmp/creditnet-src

WORKDIR /var/lib/creditnet
USER 10001:10001

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=5)"]

CMD ["creditnet", "serve", "--host", "0.0.0.0", "--port", "8000"]
