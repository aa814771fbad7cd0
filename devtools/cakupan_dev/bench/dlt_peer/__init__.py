"""The benchmark's dlt peer: ``load.py``, run in a virtualenv of its own (``requirements.txt``).

Nothing here imports cakupan, and cakupan never imports dlt: the bench
(:mod:`cakupan_dev.bench.dlt_runner`) builds the virtualenv, hands ``load.py`` a JSON plan and
times it from outside.
"""
