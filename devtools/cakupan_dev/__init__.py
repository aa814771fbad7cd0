"""cakupan's development tooling, apart from what tasks and operators run.

The scenario generator (``generate``), the province-scale benchmark (``bench``) and the
demo (``demo``) live here, beside the runtime package ``plugins/cakupan``: installed by
``make setup``, never by the Docker image, never imported by a task or a DAG file. Their
subcommands reach the ``cakupan`` command through the ``cakupan.commands`` entry point
(:mod:`cakupan_dev.cli`).
"""
