"""Loading deliveries into DuckDB, warehouse access and settings."""
