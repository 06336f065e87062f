# Career Guide: one stateless app server image. Not built on the development
# machines (no Docker engine there); kept simple enough to review by eye.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# pg_dump/pg_restore for `bin/db-backup`.
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml ./
COPY careerguide ./careerguide
COPY roadmaps ./roadmaps
COPY salaries ./salaries
COPY stories ./stories
RUN pip install .

COPY . .

# Static files are collected at build time (hashed and compressed by whitenoise).
# The key below exists only for this build step; the container needs a real one.
RUN SECRET_KEY=build-only-not-secret python manage.py collectstatic --noinput

RUN useradd --create-home --uid 10001 app && chown -R app /app
USER app

# TLS ends at the load balancer. Its X-Forwarded-Proto and X-Forwarded-For are
# believed only from TRUSTED_PROXIES, which has no default here on purpose:
# set it at run time to the load balancer's network (plus a CDN's ranges if one
# is in front), e.g. `-e TRUSTED_PROXIES=10.0.0.0/16`. Left unset, nobody is
# trusted and `check --deploy` warns (careerguide.W004). See docs/DEPLOY.md.
ENV PORT=8000 HTTPS=true BEHIND_PROXY=true
EXPOSE 8000
# Migrations run once per release, as a separate step (see docs/DEPLOY.md):
#   docker run --rm --env-file prod.env IMAGE python manage.py migrate --noinput
CMD ["sh", "-c", "exec gunicorn careerguide.wsgi -c gunicorn.conf.py --bind 0.0.0.0:${PORT}"]
