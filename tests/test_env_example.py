"""`.env.example` lists every environment variable the platform and its commands
read, and nothing else, in a form Docker Compose reads as meant."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON_SOURCES = ("config", "surveys", "indicators")
SCRIPTS = (*sorted((ROOT / "bin").iterdir()), ROOT / ".ci" / "run")
NAME = r"([A-Z][A-Z0-9_]*)"
# Reads, not defaults given to others (os.environ.setdefault).
PYTHON_READS = [
    re.compile(rf'\benv_(?:str|bool|int|list|key)\(\s*"{NAME}"'),
    re.compile(rf'os\.environ\.get\(\s*"{NAME}"'),
    re.compile(rf'os\.environ\[\s*"{NAME}"\s*\]'),
    re.compile(rf'os\.getenv\(\s*"{NAME}"'),
]
# A script reads a variable from its environment where it gives a default.
SHELL_READS = re.compile(rf"\$\{{{NAME}:?-")
COMPOSE_READS = re.compile(rf"(?<!\$)\$\{{{NAME}")


def names_read() -> set[str]:
    names: set[str] = set()
    python = [path for p in PYTHON_SOURCES for path in (ROOT / p).rglob("*.py")]
    for path in SCRIPTS:
        if path.suffix == ".py":
            python.append(path)
        elif path.is_file():
            names.update(SHELL_READS.findall(path.read_text()))
    for path in python:
        text = path.read_text()
        for pattern in PYTHON_READS:
            names.update(pattern.findall(text))
    names.update(COMPOSE_READS.findall((ROOT / "docker-compose.yml").read_text()))
    return names


def example_lines() -> list[str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def test_it_lists_every_variable_the_code_reads_and_nothing_else():
    keys = {line.split("=", 1)[0] for line in example_lines()}
    read = names_read()
    assert not read - keys, f"read but not in .env.example: {sorted(read - keys)}"
    assert not keys - read, f"in .env.example but never read: {sorted(keys - read)}"


def test_it_names_the_database_password_that_compose_requires():
    assert "POSTGRES_PASSWORD" in {line.split("=", 1)[0] for line in example_lines()}


def test_its_comments_are_on_their_own_lines():
    for line in example_lines():
        assert re.fullmatch(rf"{NAME}=[^#\s]*", line), line


def test_it_finds_the_reads_of_settings_scripts_and_compose():
    read = names_read()
    assert {"SECRET_KEY", "GUNICORN_TIMEOUT", "DEMO_RESPONSES", "HTTP_PORT"} <= read
    assert "DJANGO_SETTINGS_MODULE" not in read
