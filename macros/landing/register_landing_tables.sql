{#-
  on-run-start hook: make every landing table of CHAT_RAW_DIR a view in schema `landing`,
  whatever its form (`<table>.csv`, `<table>.parquet`, or a folder `<table>/` of .parquet or
  .csv files). Every view has exactly the contract's columns plus `_source_file`.

  CSV is read as text with explicit columns (no sniffing), so that staging, not the reader,
  decides what is valid. A CSV line that cannot be parsed (wrong number of fields, broken
  quoting, a line over the size limit) is not dropped and does not stop the build: the view
  skips it and the hook stores it in table `landing.rejected_lines` (table, file, line, error,
  the raw line), which staging turns into quarantined rows (base_chat__rejected_lines).
  Table `landing.landing_files` lists every file read with its record count (CSV: parsed plus
  rejected records, from the hook's own scan; Parquet: from the file's metadata), so that
  audit.row_reconciliation counts raw rows independently of the views.

  The build stops, with a message naming the table, the file and the problem, only where no
  sensible result exists: a missing required table or column, a table in two forms, an empty
  (0-byte) file, a CSV that is not UTF-8, a Parquet file that is not Parquet. An absent optional
  table becomes an empty view; a header-only CSV is a valid empty table.
  See docs/when-the-data-is-wrong.md.
-#}
{% macro register_landing_tables() %}
  {% if not execute %}{{ return('') }}{% endif %}
  {% set raw_dir = landing_dir() %}
  {% set contract = landing_contract() %}
  {% do run_query('create schema if not exists landing') %}
  {% do run_query(
      'create or replace table landing.landing_files ('
      ~ 'source_table varchar, source_file varchar, file_format varchar, records bigint)') %}
  {% do run_query(
      'create or replace table landing.rejected_lines ('
      ~ 'source_table varchar, source_file varchar, line bigint, column_name varchar, '
      ~ 'error_type varchar, error_message varchar, csv_line varchar)') %}
  {% for table, spec in contract.items() %}
    {% do _register_landing_table(raw_dir, table, spec) %}
  {% endfor %}
  {{ return('select 1 as landing_registered') }}
{% endmacro %}


{#- A text value as a SQL string literal. -#}
{% macro _sql_literal(value) %}
  {{ return("'" ~ (value | string | replace("'", "''")) ~ "'") }}
{% endmacro %}


{% macro _landing_files(pattern) %}
  {% set result = run_query("select file from glob(" ~ _sql_literal(pattern) ~ ") order by file") %}
  {{ return(result.columns[0].values() | list) }}
{% endmacro %}


{% macro _register_landing_table(raw_dir, table, spec) %}
  {% set base = raw_dir ~ '/' ~ table %}
  {% set forms = [] %}
  {% for kind, pattern in [
      ('parquet', base ~ '.parquet'),
      ('csv', base ~ '.csv'),
      ('parquet', base ~ '/**/*.parquet'),
      ('csv', base ~ '/**/*.csv'),
  ] %}
    {% set files = _landing_files(pattern) %}
    {% if files | length > 0 %}{% do forms.append((kind, pattern, files)) %}{% endif %}
  {% endfor %}

  {% if forms | length > 1 %}
    {% do exceptions.raise_compiler_error(
        "Landing table '" ~ table ~ "' in CHAT_RAW_DIR=" ~ raw_dir ~ " is ambiguous: found "
        ~ (forms | map(attribute=1) | join(' and ')) ~ ". Keep exactly one of "
        ~ table ~ ".csv, " ~ table ~ ".parquet or a folder " ~ table ~ "/.") %}
  {% endif %}

  {% if forms | length == 0 %}
    {% if spec.required %}
      {% do exceptions.raise_compiler_error(
          "Required landing table '" ~ table ~ "' is missing: expected " ~ base ~ ".csv, "
          ~ base ~ ".parquet or a folder " ~ base ~ "/ of .parquet/.csv files "
          ~ "(set CHAT_RAW_DIR to the landing folder; it is now '" ~ raw_dir ~ "').") %}
    {% endif %}
    {% set cols = [] %}
    {% for name, must in spec.columns %}
      {% do cols.append('cast(null as varchar) as ' ~ name) %}
    {% endfor %}
    {% do run_query('create or replace view landing.' ~ table ~ ' as select '
        ~ cols | join(', ') ~ ', cast(null as varchar) as _source_file where false') %}
    {{ return(none) }}
  {% endif %}

  {% set kind, pattern, files = forms[0] %}
  {% do _check_not_empty(table, pattern) %}
  {% if kind == 'csv' %}
    {% do _register_csv_table(table, spec, files) %}
  {% else %}
    {% do _register_parquet_table(table, spec, pattern, files) %}
  {% endif %}
{% endmacro %}


{#- A 0-byte file is not a valid landing file in any form: a CSV needs its header row (a
    header-only file is the way to say "no rows"), a Parquet file its footer. It is the mark of
    an export that failed, so it stops the build instead of silently reading as no rows. -#}
{% macro _check_not_empty(table, pattern) %}
  {% set empty = run_query("select filename from read_blob(" ~ _sql_literal(pattern)
      ~ ") where size = 0 order by filename") %}
  {% if empty.rows | length > 0 %}
    {% do exceptions.raise_compiler_error(
        "Landing file " ~ (empty.columns[0].values() | join(', ')) ~ " (table '" ~ table
        ~ "') is empty (0 bytes): a failed or unfinished export? A CSV needs at least its "
        ~ "header row (a header-only file is a valid table with no rows) and a Parquet file "
        ~ "its footer. Re-export the file, or remove it if the table is optional and has no data.") %}
  {% endif %}
{% endmacro %}


{#- The columns a landing view selects, by contract name, from the columns a file has
    (`present`: lower-case name -> expression). Stops the build when a required one is absent. -#}
{% macro _contract_columns(table, spec, present, file_label) %}
  {% set cols = [] %}
  {% set missing = [] %}
  {% for name, must in spec.columns %}
    {% if name in present %}
      {% do cols.append(present[name] ~ ' as ' ~ name) %}
    {% elif must %}
      {% do missing.append(name) %}
    {% else %}
      {% do cols.append('cast(null as varchar) as ' ~ name) %}
    {% endif %}
  {% endfor %}
  {% if missing | length > 0 %}
    {% do exceptions.raise_compiler_error(
        "Landing table '" ~ table ~ "' (" ~ file_label ~ ") is missing required column(s) "
        ~ (missing | join(', ')) ~ "; found: "
        ~ ((present.keys() | list | reject('equalto', 'filename') | reject('equalto', '') | join(', '))
           or 'no columns (empty file?)')
        ~ ". See spec/contract.md for the columns of each landing table.") %}
  {% endif %}
  {{ return(cols) }}
{% endmacro %}


{#- ---------------------------------------------------------------------------- Parquet -#}

{#- Parquet: every file must be Parquet (magic bytes `PAR1` at both ends; files over 256 MB
    are left to DuckDB's reader, whose error also names the file) and hold every required
    column; the view reads all files by column name. -#}
{% macro _register_parquet_table(table, spec, pattern, files) %}
  {% set not_parquet = run_query(
      "select filename from read_blob(" ~ _sql_literal(pattern) ~ ") "
      ~ "where size <= 268435456 and (size < 12 or content[1:4] <> 'PAR1'::blob "
      ~ "or content[-4:] <> 'PAR1'::blob) order by filename") %}
  {% if not_parquet.rows | length > 0 %}
    {% do exceptions.raise_compiler_error(
        "Landing file " ~ (not_parquet.columns[0].values() | join(', ')) ~ " (table '" ~ table
        ~ "') is not a readable Parquet file (no PAR1 magic bytes at its start and end): "
        ~ "truncated, or another format under a .parquet name. Re-export it as Parquet.") %}
  {% endif %}

  {% set schemas = run_query(
      "select file_name, lower(name) from parquet_schema(" ~ _sql_literal(pattern)
      ~ ") order by file_name") %}
  {% set by_file = {} %}
  {% for row in schemas.rows %}
    {% do by_file.setdefault(row[0], {}).update({row[1]: row[1]}) %}
  {% endfor %}
  {% for file, present in by_file.items() %}
    {% do _contract_columns(table, spec, present, file) %}
  {% endfor %}

  {% do run_query(
      "insert into landing.landing_files select " ~ _sql_literal(table) ~ ", file_name, 'parquet', "
      ~ "num_rows from parquet_file_metadata(" ~ _sql_literal(pattern) ~ ")") %}

  {% set reader = "read_parquet(" ~ _sql_literal(pattern) ~ ", union_by_name = true, filename = true)" %}
  {% set described = run_query('describe select * from ' ~ reader) %}
  {% set present = {} %}
  {% for row in described.rows %}
    {% do present.update({row[0] | lower: adapter.quote(row[0])}) %}
  {% endfor %}
  {% set cols = _contract_columns(table, spec, present, files | join(', ')) %}
  {% do run_query('create or replace view landing.' ~ table ~ ' as select '
      ~ cols | join(', ') ~ ', filename as _source_file from ' ~ reader) %}
{% endmacro %}


{#- -------------------------------------------------------------------------------- CSV -#}

{#- CSV: each file is read with the columns of its own header row (so the files of a folder
    may order their columns differently). Lines the reader rejects go to landing.rejected_lines;
    the view over all files skips them (the same reader options, so the same lines). -#}
{% macro _register_csv_table(table, spec, files) %}
  {% set selects = [] %}
  {% for file in files %}
    {% set header = _csv_header(table, file) %}
    {% set present = {} %}
    {% for name in header %}
      {% if name not in present %}{% do present.update({name: 'c' ~ loop.index}) %}{% endif %}
    {% endfor %}
    {% set cols = _contract_columns(table, spec, present, file) %}
    {% do _store_rejected_lines(table, file, header) %}
    {% do selects.append('select ' ~ cols | join(', ') ~ ', filename as _source_file from '
        ~ landing_csv_reader(file, header | length,
            "store_rejects = true, rejects_table = 'landing_view_reject_errors', "
            ~ "rejects_scan = 'landing_view_reject_scans'")) %}
  {% endfor %}
  {% do run_query('create or replace view landing.' ~ table ~ ' as '
      ~ selects | join('\nunion all\n')) %}
{% endmacro %}


{#- The column names of a CSV file's header row (lower-case, unquoted). First the whole file is
    scanned line by line: a byte sequence that is not UTF-8 anywhere stops the build (an
    encoding problem is the whole file's, not a row's; DuckDB's CSV reader does not check the
    encoding of values a query does not read). Then the first line is read in file order. -#}
{% macro _csv_header(table, file) %}
  {% set line_reader = "read_csv(" ~ _sql_literal(file) ~ ", header = false, auto_detect = false, "
      ~ "columns = {'line': 'VARCHAR'}, delim = chr(31), quote = '', escape = '', "
      ~ "strict_mode = false" %}
  {% do _drop_rejects_tables('landing_probe') %}
  {% do run_query("select count(*) from " ~ line_reader ~ ", store_rejects = true, "
      ~ "rejects_table = 'landing_probe_errors', rejects_scan = 'landing_probe_scans')") %}
  {% set bad = run_query("select min(line) from landing_probe_errors where error_type like 'INVALID%'") %}
  {% do _drop_rejects_tables('landing_probe') %}
  {% if bad.rows[0][0] is not none %}
    {% do _raise_not_utf8(table, file, bad.rows[0][0]) %}
  {% endif %}
  {% set order_setting = run_query("select current_setting('preserve_insertion_order')").rows[0][0] %}
  {% do run_query("set preserve_insertion_order = true") %}
  {% set first = run_query("select line from " ~ line_reader ~ ") limit 1") %}
  {% do run_query("set preserve_insertion_order = " ~ (order_setting | string | lower)) %}
  {% set names = [] %}
  {% if first.rows | length > 0 and first.rows[0][0] is not none %}
    {% for raw in first.rows[0][0].split(',') %}
      {% set name = raw | replace('\ufeff', '') | trim %}
      {% if name.startswith('"') and name.endswith('"') and name | length > 1 %}
        {% set name = name[1:-1] | replace('""', '"') | trim %}
      {% endif %}
      {% do names.append(name | lower) %}
    {% endfor %}
  {% endif %}
  {{ return(names) }}
{% endmacro %}


{#- Scan a CSV file once with the rejects tables on, and keep what the reader rejected: one row
    per rejected line, its first error (the reader reports a short line once per missing field).
    Stops the build when a line is not UTF-8: an encoding problem is the whole file's, not a
    row's. -#}
{% macro _store_rejected_lines(table, file, header) %}
  {% do _drop_rejects_tables('landing_reject') %}
  {% set parsed = run_query('select count(*) from ' ~ landing_csv_reader(file, header | length,
      "store_rejects = true, rejects_table = 'landing_reject_errors', "
      ~ "rejects_scan = 'landing_reject_scans'")) %}
  {% set bad = run_query("select min(line) from landing_reject_errors where error_type like 'INVALID%'") %}
  {% if bad.rows[0][0] is not none %}
    {% do _raise_not_utf8(table, file, bad.rows[0][0]) %}
  {% endif %}
  {% set header_names = [] %}
  {% for name in header %}
    {% do header_names.append(" when 'c" ~ loop.index ~ "' then " ~ _sql_literal(name)) %}
  {% endfor %}
  {% do run_query(
      "insert into landing.rejected_lines "
      ~ "select " ~ _sql_literal(table) ~ ", " ~ _sql_literal(file) ~ ", line, "
      ~ "case column_name" ~ header_names | join('') ~ " end, "
      ~ "error_type, error_message, trim(csv_line, chr(13) || chr(10)) "
      ~ "from landing_reject_errors "
      ~ "qualify row_number() over (partition by line order by column_idx, error_type) = 1") %}
  {% do run_query(
      "insert into landing.landing_files select " ~ _sql_literal(table) ~ ", "
      ~ _sql_literal(file) ~ ", 'csv', " ~ parsed.rows[0][0] ~ " + count(distinct line) "
      ~ "from landing_reject_errors") %}
  {% do _drop_rejects_tables('landing_reject') %}
{% endmacro %}


{#- Drop the temporary rejects tables `<prefix>_errors` and `<prefix>_scans` of a CSV scan. -#}
{% macro _drop_rejects_tables(prefix) %}
  {% do run_query('drop table if exists ' ~ prefix ~ '_errors') %}
  {% do run_query('drop table if exists ' ~ prefix ~ '_scans') %}
{% endmacro %}


{% macro _raise_not_utf8(table, file, line) %}
  {% do exceptions.raise_compiler_error(
      "Landing file " ~ file ~ " (table '" ~ table ~ "') is not UTF-8 text (invalid byte "
      ~ "sequence at line " ~ line ~ "): the contract's CSV is UTF-8. Re-export the file as "
      ~ "UTF-8 (not Latin-1, Windows-1252 or UTF-16), or check that it is a CSV at all.") %}
{% endmacro %}


{#- The DuckDB reader of one landing CSV file: RFC 4180, header row, UTF-8, `n_columns` text
    columns named c1, c2, ... by position (the header names them; see _csv_header), no
    sniffing, so a malformed line is an error of that line only. `options` adds reader options
    (the rejects tables). The view reads with rejects tables too, not with ignore_errors: in
    DuckDB 1.5 ignore_errors silently drops every row after a line with text after a closing
    quote (`1,"a"x,3`), and parallel = false silently drops an unterminated quote at the end of
    a file; only the rejects path skips exactly the lines it records. The view's rejects tables
    are temporary and unused (the hook's own scan filled landing.rejected_lines). -#}
{% macro landing_csv_reader(file, n_columns, options) %}
  {% set columns = [] %}
  {% for i in range(1, n_columns + 1) %}{% do columns.append("'c" ~ i ~ "': 'VARCHAR'") %}{% endfor %}
  {{ return("read_csv(" ~ _sql_literal(file) ~ ", header = true, auto_detect = false, "
      ~ "columns = {" ~ columns | join(', ') ~ "}, delim = ',', quote = '\"', escape = '\"', "
      ~ "filename = true, " ~ options ~ ")") }}
{% endmacro %}
