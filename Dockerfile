# syntax=docker/dockerfile:1
#
# Production image for hemsjukvard: one image for web (gunicorn), worker and beat (Celery) and the
# one-shot migrate service; docker-compose.yml picks the command. No secret is baked in: every
# setting comes from the environment at run time (.env through compose's env_file).
#
#   docker compose build            # or: docker build -t hemsjukvard .

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- builder: the locked dependencies in /opt/venv, the application source in /app -------------
FROM ${PYTHON_IMAGE} AS builder

# uv comes from PyPI; keep this in step with the uv that writes uv.lock.
ARG UV_VERSION=0.13.9
RUN pip install --no-cache-dir "uv==${UV_VERSION}"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy

WORKDIR /app

# Dependencies first, so that a change to the code alone does not reinstall them.
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-install-project

COPY . /app
# Whatever the build context held that is not application code stays out of the final image (it
# only copies /app from this stage): local environments and databases, a real .env, git metadata,
# collected static files and uploads from a developer's machine, tests and benchmarks.
RUN rm -rf .venv .git .env .env.* .ci .pytest_cache .ruff_cache .mypy_cache \
        db.sqlite3 staticfiles media backups tests bench \
    && find /app -name __pycache__ -type d -prune -exec rm -rf {} + \
    && python -m compileall -q /app

# --- runtime ----------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

# The libraries WeasyPrint loads at run time, and a font for the PDFs. Versions follow Debian
# bookworm's security updates, so they are not pinned.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# An unprivileged user runs everything. The code and the collected static files stay owned by
# root, so the running application cannot change them; it writes only to /data (volumes).
RUN groupadd --system --gid 10001 hemsjukvard \
    && useradd --system --uid 10001 --gid hemsjukvard --create-home \
        --home-dir /home/hemsjukvard --shell /usr/sbin/nologin hemsjukvard \
    && mkdir -p /data/media /data/beat \
    && chown -R hemsjukvard:hemsjukvard /data

COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /app /app

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=hemsjukvard.settings \
    HEMSJUKVARD_ENV=production \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/data/media

WORKDIR /app

# Production settings (so the whitenoise manifest is written) with throwaway values that exist only
# for this one command: nothing connects to a database or broker, and none of it is kept in the
# image's environment. The real values come from .env when a container starts.
RUN SECRET_KEY="collectstatic-build-step-only-not-a-secret-0123456789abcdef" \
    ALLOWED_HOSTS="build.invalid" \
    DATABASE_URL="postgres://collectstatic@build.invalid:5432/collectstatic" \
    CELERY_BROKER_URL="memory://" \
    python manage.py collectstatic --noinput --verbosity 1

# Numeric, so that runtimes can tell it is not root without reading /etc/passwd.
USER 10001:10001

EXPOSE 8000

CMD ["gunicorn", "--config", "deploy/gunicorn.conf.py", "hemsjukvard.wsgi:application"]
