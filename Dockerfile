FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir --upgrade pip
COPY . .
RUN pip install --no-cache-dir -e . && python manage.py collectstatic --no-input -v 0 || true
EXPOSE 8000
CMD ["gunicorn", "kraken.wsgi:application", "--config", "python:kraken.gunicorn", "--bind", "0.0.0.0:8000"]
