"""The chat-analytics dashboard: a Streamlit app over the published warehouse.

`make dashboard` (or `python -m dashboard`) starts it. It reads only the published DuckDB file
(`CHAT_WAREHOUSE_PATH`, default `warehouse/chat.duckdb`), read-only, so it never blocks a build
(README, "Readers never block a build"). Layout:

- `app.py`: the entry point (`streamlit run dashboard/app.py`): sidebar filters, navigation.
- `views/`: one script per page (Shops, Agents, At risk now, Sessions, Data health); not
  `pages/`, which Streamlit would also register as pages of its own.
- `queries.py`: every SQL statement, parameterised, grouped by the page that runs it.
- `filters.py`: the shared filters and the SQL conditions they make.
- `sidebar.py`: the filter widgets; `data.py`: the read-only connection and the cache.
- `bench.py`: each page's query time on a large warehouse (`make dashboard-bench`).
"""
