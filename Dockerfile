# netlead web and worker image. The same image runs gunicorn (web) or celery (worker).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    OMP_NUM_THREADS=1 \
    NUMBA_CACHE_DIR=/tmp/numba-cache

# cairo and pango for the PDF posters; libpq is bundled in psycopg2-binary.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libcairo2 libpango-1.0-0 libpangoft2-1.0-0 \
       fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY netlead ./netlead
COPY members ./members
COPY networkmaps ./networkmaps
RUN pip install .
COPY . .

RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

RUN useradd --create-home netlead && mkdir -p /app/media && chown netlead /app/media
USER netlead

EXPOSE 8000
CMD ["gunicorn", "netlead.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
