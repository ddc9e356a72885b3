"""Benchmarks of the SEI assistant (``make bench``, ``make bench-smoke``).

Modules: ``common`` (machine facts, /proc, stats, results), ``servers``
(Rasa + action server for one model), ``scenarios`` (realistic
conversations), ``load`` (async REST client), ``quality`` (training time and
held-out accuracy), ``memory`` (RSS over many turns), ``filing`` (request
submission), ``levers`` (tuning experiments in temporary copies),
``report`` (docs/BENCHMARKS.md and plots), ``run`` and ``smoke`` (entry
points).
"""
