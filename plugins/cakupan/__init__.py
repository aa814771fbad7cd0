"""cakupan: coverage of vulnerable workers by BPJS Ketenagakerjaan, village by village.

Importable code for the Airflow DAGs in ``dags/`` and for the ``cakupan`` command.
Modules here must stay cheap to import: DAG files import them at parse time, so
pandas, Great Expectations and database drivers are imported inside functions.
"""
