# whosaid API: ingests the seed articles at start, then serves on port 8000. The database lives in /data.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    WHOSAID_DATABASE_URL=sqlite:////data/whosaid.db

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY seeds ./seeds
RUN pip install . && mkdir -p /data

VOLUME /data
EXPOSE 8000
# migrations are found under /app (the working directory); ingest is a no-op for articles already stored
CMD ["sh", "-c", "whosaid ingest seeds/ && whosaid serve --host 0.0.0.0 --port 8000"]
