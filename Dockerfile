# The bot in a container: `python -m bot` as a non-root user, its data folder a volume.
#   docker build -t smm-bot .
#   docker run -d --env-file .env -v smm-bot-data:/app/data --restart unless-stopped smm-bot
# or, with PostgreSQL beside it: docker compose up -d --build (compose.yaml).
# The Python the project is tested on (pyproject: requires-python >= 3.11).
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATA_DIR=/app/data

WORKDIR /app

# Dependencies in their own layer: rebuilt only when requirements.txt changes, not on every
# change of the code.
COPY requirements.txt ./
RUN pip install -r requirements.txt

# A fixed uid (10001), so a bind-mounted data folder can be handed to it: chown 10001 <folder>.
RUN groupadd --system --gid 10001 bot \
    && useradd --system --uid 10001 --gid bot --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin bot \
    && mkdir -p /app/data \
    && chown bot:bot /app/data \
    && chmod 0700 /app/data

# The code stays root's: the bot can read it, not change it (.dockerignore keeps .env, data/,
# virtual environments, tests and git out of the image).
COPY . .
RUN python -m compileall -q bot handlers storage

USER 10001:10001

# The SQLite database (without DATABASE_URL) and the generated encryption key live here:
# keep the volume, or the stored API keys cannot be read.
VOLUME ["/app/data"]

# Webhook mode only (WEBHOOK_URL set): the webhook server and GET /healthz on PORT. Polling
# mode opens no port, so there is no HEALTHCHECK here; compose.yaml shows one for webhooks.
EXPOSE 8080

# What `docker stop` sends: the bot finishes the update in hand, stops the status poller
# between keys, closes the database and exits 0.
STOPSIGNAL SIGTERM

# Exec form: python is PID 1 and receives the signal itself (no shell in between).
CMD ["python", "-m", "bot"]
