"""The DuckDB warehouse: connections and transactions, storage writes, the model runner."""
