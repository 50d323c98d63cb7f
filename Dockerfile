# The emulator as a container: `docker compose up --wait` (Compose v2) returns once it is healthy.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    QINIU_EMULATOR_HOST=0.0.0.0 \
    QINIU_EMULATOR_PORT=9000 \
    QINIU_EMULATOR_ADMIN_HOST=0.0.0.0 \
    QINIU_EMULATOR_ADMIN_PORT=9002 \
    QINIU_EMULATOR_S3_PORT=9003 \
    QINIU_EMULATOR_DATA=/data

# Optional system packages, e.g.
#   --build-arg EXTRA_APT_PACKAGES="libreoffice-core libreoffice-writer libreoffice-calc libreoffice-impress fonts-noto-cjk"
# for office documents in yifangyun_preview and CJK glyphs in text watermarks.
ARG EXTRA_APT_PACKAGES=""
RUN if [ -n "$EXTRA_APT_PACKAGES" ]; then \
        apt-get update && apt-get install -y --no-install-recommends $EXTRA_APT_PACKAGES \
        && rm -rf /var/lib/apt/lists/*; \
    fi

RUN useradd --create-home --uid 10001 qiniu \
    && mkdir -p /data \
    && chown qiniu:qiniu /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY client ./client
COPY emulator ./emulator
COPY contracts ./contracts
RUN pip install .

USER qiniu
VOLUME /data
EXPOSE 9000 9002 9003

# `qiniu-emulator health` reads QINIU_EMULATOR_ADMIN_HOST/_PORT as serve does.
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=10 \
    CMD ["qiniu-emulator", "health"]

ENTRYPOINT ["qiniu-emulator"]
CMD ["serve"]
