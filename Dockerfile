# cakupan's Airflow image: the official apache/airflow image of the locked Airflow version,
# with the project's locked dependencies installed (hash-checked). The project code itself
# (dags/, plugins/, include/, expectations/) is mounted by docker-compose.yml, so a code
# change needs no rebuild; a change of requirements.lock does.
ARG AIRFLOW_VERSION=3.3.2
ARG PYTHON_VERSION=3.11
FROM apache/airflow:${AIRFLOW_VERSION}-python${PYTHON_VERSION}

COPY --chown=airflow:0 requirements.lock /opt/airflow/requirements.lock
# --no-deps: the lock is complete and hash-pinned, nothing is resolved at build time.
RUN pip install --no-cache-dir --no-deps --require-hashes -r /opt/airflow/requirements.lock

ENV PYTHONPATH=/opt/airflow/plugins \
    CAKUPAN_DATA_DIR=/opt/airflow/data \
    GX_ANALYTICS_ENABLED=false
