# Benchmarks (included by the Makefile). Scripts and docs: bench/*.py.
#
#   make bench        everything in one run (~1 h on 2 idle cores, ~16 min of it
#                     training Rasa's default model (b); BENCH_ARGS=--reuse-b keeps the previous (b)):
#                     docs/BENCHMARKS.md,
#                     docs/img/bench-*.png, raw JSON in results/bench/
#                     BENCH_ARGS='--only latency,memory' re-runs some sections,
#                     BENCH_ARGS='--skip levers' leaves the tuning experiments out
#                     BENCH_ARGS='--only openloop' the open-loop capacity ladder alone
#                     (~10 min: (a) and (b) on the development profile and on the
#                     production one, which needs PostgreSQL and Redis on 127.0.0.1)
#   make bench-smoke  a few seconds of load with tiny counts: checks the harness
#                     end to end (results in a temp dir, never docs/); part of
#                     `make test`. BENCH_URL=http://127.0.0.1:5005/webhooks/rest/webhook
#                     uses an assistant already running (it files test requests
#                     in that server's store: use a test instance).

BENCH_ARGS ?=
BENCH_URL ?=

.PHONY: bench bench-smoke

bench: train
	$(PY) -m bench.run $(BENCH_ARGS)

bench-smoke: train
	$(PY) -m bench.smoke $(if $(BENCH_URL),--url $(BENCH_URL))

test: bench-smoke
