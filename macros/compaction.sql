{#-
  Deleted rows are compacted in bulk, not at every checkpoint (DECISIONS.md, "Deleted rows:
  compacted in bulk").

  An incremental refresh deletes the rows of the conversations it recomputes from every
  conversation-grain table (a quarter of the sessions on the benchmark's data, spread over
  every row group) and appends them again. DuckDB's checkpoint would then "vacuum" the
  tables: merge the thinned row groups by rewriting nearly every row of them, some 9 s of a
  10 M-message refresh for five of the tables. profiles.yml turns that off
  (`max_vacuum_tasks: 0`): the deleted rows stay in their row groups, marked, and scans skip
  them. This macro compacts a database once its deleted rows are worth it: when a table of at
  least `compaction_min_rows` rows (physical, deleted included) holds a share of deleted rows of
  `compaction_deleted_share` or more, the next checkpoint runs with vacuuming on, and rewrites
  every table that has deleted rows.

  `database`: the attached database to look at (the working file by default). Returns the
  tables over the limit (none: nothing to do); the caller makes the checkpoint (the working
  file: `compact_working_file`; the published copy: its detach).
-#}
{% macro tables_to_compact(database=none) %}
  {% set share = var('compaction_deleted_share') | float %}
  {% set min_rows = var('compaction_min_rows') | int %}
  {% set db = database or target.database %}
  {% set candidates = run_query(
      "select schema_name, table_name, estimated_size from duckdb_tables() "
      ~ "where database_name = " ~ _sql_text(db) ~ " and estimated_size >= " ~ min_rows
      ~ " order by 1, 2") %}
  {% set over = [] %}
  {% for row in candidates.rows %}
    {% set live = run_query("select count(*) from " ~ adapter.quote(db) ~ "."
        ~ adapter.quote(row[0]) ~ "." ~ adapter.quote(row[1])).columns[0].values()[0] %}
    {% set physical = [row[2], live] | max %}
    {% if physical > 0 and (physical - live) / physical >= share %}
      {% do over.append(row[0] ~ '.' ~ row[1] ~ ' (' ~ ((physical - live) * 100 // physical)
          ~ '% deleted)') %}
    {% endif %}
  {% endfor %}
  {{ return(over) }}
{% endmacro %}


{#- on-run-end, after the build's last write (the checkpoint vacuums only with a write to
    make): compact the working file when it is due. -#}
{% macro compact_working_file() %}
  {% if not execute or target.type != 'duckdb' %}{{ return('') }}{% endif %}
  {% if flags.WHICH not in ('build', 'run') %}{{ return('') }}{% endif %}
  {% set over = tables_to_compact() %}
  {% if over | length == 0 %}{{ return('') }}{% endif %}
  {{ log("Compacting the working file's deleted rows: " ~ (over[:3] | join(', '))
      ~ (', ...' if over | length > 3 else ''), info=True) }}
  {% do run_query(vacuum_setting(true) ~ "; checkpoint; " ~ vacuum_setting(false)) %}
  {{ return('') }}
{% endmacro %}


{#- `set max_vacuum_tasks`: DuckDB's default (100) while compacting, else 0 (profiles.yml). -#}
{% macro vacuum_setting(compacting) -%}
  set max_vacuum_tasks = {{ 100 if compacting else 0 }}
{%- endmacro %}
