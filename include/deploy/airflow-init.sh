#!/usr/bin/env bash
# One-off set-up of a cakupan Airflow deployment; safe to run again (every step idempotent).
# Run by the compose service airflow-init, and by tests/integration/test_stack.py with the
# same environment on real processes.
#
#   1. migrate Airflow's metadata database
#   2. the warehouse pool (CAKUPAN_WAREHOUSE_SLOTS slots: 1 for DuckDB, more for PostgreSQL)
#   3. the admin user's password for the simple auth manager, from AIRFLOW_ADMIN_PASSWORD
#   4. the warehouse schemas and the read-only analyst role (PostgreSQL warehouse only)
set -euo pipefail

: "${AIRFLOW_ADMIN_PASSWORD:?set AIRFLOW_ADMIN_PASSWORD (in .env)}"
: "${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE:?set the passwords file path}"
PYTHON="${CAKUPAN_PYTHON:-python}"

echo "cakupan init: migrating the Airflow metadata database"
airflow db migrate

echo "cakupan init: pool ${CAKUPAN_WAREHOUSE_POOL:-cakupan_warehouse}"
airflow pools set "${CAKUPAN_WAREHOUSE_POOL:-cakupan_warehouse}" "${CAKUPAN_WAREHOUSE_SLOTS:-1}" \
  "tasks writing the cakupan warehouse" >/dev/null

echo "cakupan init: admin password file"
passwords="${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE}"
mkdir -p "$(dirname "$passwords")"
"$PYTHON" - "$passwords" <<'PY'
import json, os, sys
path = sys.argv[1]
tmp = path + ".tmp"
with open(tmp, "w", encoding="utf-8") as fh:
    json.dump({"admin": os.environ["AIRFLOW_ADMIN_PASSWORD"]}, fh)
os.chmod(tmp, 0o600)
os.replace(tmp, path)
PY
if [[ -n "${AIRFLOW_UID:-}" && "$(id -u)" == "0" ]]; then
  chown "${AIRFLOW_UID}:0" "$passwords"
  mkdir -p "${CAKUPAN_DATA_DIR:-/opt/airflow/data}/landing"
  chown -R "${AIRFLOW_UID}:0" "${CAKUPAN_DATA_DIR:-/opt/airflow/data}" /opt/airflow/logs
fi

case "${CAKUPAN_WAREHOUSE_URL:-}" in
  postgresql*)
    echo "cakupan init: warehouse schemas and the read-only analyst role"
    "$PYTHON" -m cakupan.warehouse.roles
    ;;
  *)
    echo "cakupan init: embedded DuckDB warehouse, no roles to grant"
    ;;
esac
echo "cakupan init: done"
