# One image for every deepgrade service (web, worker, beat, migrate): see docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# libseccomp2: the sandbox's seccomp filter (pyseccomp loads it with ctypes).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libseccomp2 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
# The CPU build of torch: from PyPI, torch==2.13.0 would pull several GB of CUDA libraries.
RUN pip install --extra-index-url https://download.pytorch.org/whl/cpu -r requirements.txt

COPY manage.py ./
COPY platform ./platform
COPY graders ./graders
# The engine's wheel, served to students (platform/pages/bundles.py), is built from here.
COPY packaging ./packaging
COPY exercises ./exercises

ENV PYTHONPATH=/app/platform:/app \
    DJANGO_SETTINGS_MODULE=config.settings \
    VAR_DIR=/app/var \
    STATIC_ROOT=/app/static

# Static files are collected at build time (the containers run with a read-only root).
# The settings demand a secret and Redis when DEBUG is off; these build-only values are never used.
RUN SECRET_KEY=build-only-not-a-secret-0123456789abcdef REDIS_URL=redis://build:6379/0 \
    python manage.py collectstatic --noinput -v 0

RUN useradd --system --uid 10001 --home-dir /app deepgrade \
    && mkdir -p /app/var && chown deepgrade /app/var
USER deepgrade

EXPOSE 8000
CMD ["gunicorn", "-c", "/app/platform/config/gunicorn_conf.py", "--chdir", "/app/platform", \
     "config.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
