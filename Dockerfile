FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=mrm.settings.production \
    MRM_VAR_DIR=/data
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY mrm ./mrm
COPY clients ./clients
COPY proposals ./proposals
COPY projects ./projects
COPY reporting ./reporting
COPY portal ./portal
RUN pip install --no-cache-dir .
COPY . .
RUN SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput -v0
RUN useradd --create-home mrm && mkdir -p /data && chown mrm /data
USER mrm
EXPOSE 8000
CMD ["gunicorn", "mrm.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
