# The Khabar worker as docker-compose.yml runs it, next to Kafka, Prometheus and Grafana.
# The native path (`make run`) needs none of this; both read the same KHABAR_* settings.
FROM python:3.11.14-slim-trixie

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY streams ./streams
COPY schemas ./schemas
# Editable, so settings that live beside the package (schemas/) resolve inside /app as in a checkout.
RUN pip install -e . \
 && useradd --create-home --uid 10001 khabar \
 && chown khabar /app
# Faust keeps its data directory under the working directory, hence /app belongs to the worker's user.
USER khabar

ENV KHABAR_BROKER=kafka:9092 \
    KHABAR_WEB_PORT=6066
EXPOSE 6066
CMD ["khabar", "worker"]
