# Image of `plansite serve` (API + in-process worker), used by docker-compose.yml.
FROM python:3.11-slim

# tesseract reads outlined (SHX) text on CAD plots.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tesseract-ocr \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-cache-dir .

EXPOSE 5000
CMD ["plansite", "serve", "--host", "0.0.0.0", "--port", "5000"]
