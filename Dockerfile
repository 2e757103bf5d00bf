# Production image for the SEND casework app (web, Celery worker and beat share it).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_ENV=production

# Pango and fonts for WeasyPrint PDF reports (Liberation = Arial metrics); pg_dump/pg_restore (15, as the
# postgres service) for `manage.py backup` and `restore`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-liberation2 postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY . /app
# Runtime dependencies only: non-editable, no [dev] extras; sentry-sdk is used only when SENTRY_DSN is set.
RUN pip install ".[sentry]" \
    && rm -rf build *.egg-info

# Unprivileged runtime user; only static and media directories are writable.
RUN groupadd --system app \
    && useradd --system --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app \
    && mkdir -p /app/staticfiles /var/lib/send/media \
    && chown -R app:app /app/staticfiles /var/lib/send/media
USER app

EXPOSE 8000
# gunicorn's processes: WEB_CONCURRENCY (gunicorn reads it); sync workers measured best in `make load`.
ENV WEB_CONCURRENCY=3
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000"]
