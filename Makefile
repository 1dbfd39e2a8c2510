# Benchmarks (docs/performance.md). The two commands of the README stay bin/demo
# and bin/test; these only measure. PostgreSQL: BENCH_PG (server, no database);
# the data sets are its databases sipas_bench_<size>. Celery: REDIS_URL.
PYTHON ?= .venv/bin/python
REDIS_URL ?= redis://127.0.0.1:6379/8
export REDIS_URL

.PHONY: bench bench-full

# 100k and 1M responses.
bench:
	@[ -x "$(PYTHON)" ] || bin/setup
	$(PYTHON) bench/run.py --quick

# Adds the 10M-response cases (their data set is loaded the first time).
bench-full:
	@[ -x "$(PYTHON)" ] || bin/setup
	$(PYTHON) bench/run.py --full
