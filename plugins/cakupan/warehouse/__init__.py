"""Reaching the warehouse: engines by URL, SQL files from include/sql, bulk loads, schema."""
