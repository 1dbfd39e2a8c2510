FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md requirements.lock ./
# The versions CI tested and audited.
RUN pip install --no-cache-dir -c requirements.lock .
COPY . .
# Collecting touches neither database nor keys: placeholders, with DEBUG on.
RUN DEBUG=1 DATABASE_URL=postgres://collectstatic@localhost/none \
    python manage.py collectstatic --noinput
RUN useradd --system sipas
USER sipas
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--config", "config/gunicorn.conf.py"]
