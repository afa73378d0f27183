{#-
  on-run-start hook: make every landing table of CHAT_RAW_DIR a view in schema `landing`,
  whatever its form (`<table>.csv`, `<table>.csv.gz`, `<table>.parquet`, or a folder `<table>/`
  of .parquet files or of .csv/.csv.gz files). Every view has exactly the contract's columns
  (models/staging/__sources.yml, through landing_contract()) plus `_source_file`.

  CSV is read as text with explicit columns (no sniffing), so that staging, not the reader,
  decides what is valid. A CSV line that cannot be parsed (wrong number of fields, broken
  quoting, a line over the size limit) is not dropped and does not stop the build: the view
  skips it and the hook stores it in table `landing.rejected_lines` (table, file, line, error,
  the raw line), which staging turns into quarantined rows (base_chat__rejected_lines).
  Table `landing.landing_files` lists every file read with its record count (CSV: parsed plus
  rejected records, from the hook's own scan; Parquet: from the file's metadata), so that
  audit.row_reconciliation counts raw rows independently of the views.

  CSV files as real tools write them (see _register_csv_table): CRLF, LF or CR line endings, and
  a mix of them in one file; a UTF-8 byte-order mark; blank lines (not rows: neither counted nor
  quarantined); header names quoted or with spaces around them, in any order, extra columns;
  gzip; a NUL byte in a value (removed); a file appended to with its header row again (the
  repeated header row is not a row; landing_files.repeated_header_lines counts it).

  The build stops, with a message naming the table, the file and the problem, only where no
  sensible result exists: a missing required table or column, a table in two forms, an empty
  (0-byte) file, a CSV that is not UTF-8, a .csv.gz that is not gzip, a repeated header row
  that orders the columns differently from the file's first, a Parquet file that is not
  Parquet. An absent optional table becomes an empty view; a header-only CSV is a valid empty
  table.
  See docs/when-the-data-is-wrong.md.
-#}
{% macro register_landing_tables() %}
  {{ return(adapter.dispatch('register_landing_tables', 'chat_warehouse')()) }}
{% endmacro %}

{#- DuckDB (Spark: macros/portable/landing_spark.sql). -#}
{% macro duckdb__register_landing_tables() %}
  {% if not execute %}{{ return('') }}{% endif %}
  {#- only a build (or run) loads landing files; `dbt test`, `docs generate` and the like keep
      what the last build registered (registering would mark files loaded that no model read) -#}
  {% if flags.WHICH not in ('build', 'run') and run_query(
      "select count(*) from information_schema.tables where table_schema = 'landing' "
      ~ "and table_name = 'refresh_log'").columns[0].values()[0] > 0 %}
    {{ return('select 1 as landing_registered') }}
  {% endif %}
  {% set raw_dir = landing_dir() %}
  {% set contract = landing_contract() %}
  {% do run_query('create schema if not exists landing') %}
  {#- every table's form and files, as they are now (stops on a missing or ambiguous table) -#}
  {% set found = {} %}
  {% for table, spec in contract.items() %}
    {% do found.update({table: _find_landing_table(raw_dir, table, spec)}) %}
  {% endfor %}
  {% set decision = decide_refresh_mode(found) %}
  {% if decision.mode == 'full' %}
    {% do run_query(
        'create or replace table landing.landing_files ('
        ~ 'source_table varchar, source_file varchar, file_format varchar, records bigint, '
        ~ 'repeated_header_lines bigint, file_size bigint, file_modified_at timestamp, '
        ~ 'loaded_invocation_id varchar)') %}
    {% do run_query(
        'create or replace table landing.rejected_lines ('
        ~ 'source_table varchar, source_file varchar, line bigint, column_name varchar, '
        ~ 'error_type varchar, error_message varchar, csv_line varchar, '
        ~ 'loaded_invocation_id varchar)') %}
  {% endif %}
  {% for table, spec in contract.items() %}
    {% do _register_landing_table(table, spec, found[table], decision.mode) %}
  {% endfor %}
  {% do record_refresh(decision) %}
  {{ return('select 1 as landing_registered') }}
{% endmacro %}


{#- A text value as a SQL string literal. -#}
{% macro _sql_literal(value) %}
  {{ return("'" ~ (value | string | replace("'", "''")) ~ "'") }}
{% endmacro %}


{#- A list of text values as a SQL list literal. -#}
{% macro _sql_list(values) %}
  {% set literals = [] %}
  {% for value in values %}{% do literals.append(_sql_literal(value)) %}{% endfor %}
  {{ return('[' ~ literals | join(', ') ~ ']') }}
{% endmacro %}


{#- The files matching any of `patterns`, in path order. -#}
{% macro _landing_files(patterns) %}
  {% set selects = [] %}
  {% for pattern in patterns %}
    {% do selects.append("select file from glob(" ~ _sql_literal(pattern) ~ ")") %}
  {% endfor %}
  {% set result = run_query(selects | join(' union ') ~ " order by file") %}
  {{ return(result.columns[0].values() | list) }}
{% endmacro %}


{#- Where a landing table is: (kind, pattern, files), or none for an absent optional table.
    Stops the build on a table in two forms and on a missing required table. -#}
{% macro _find_landing_table(raw_dir, table, spec) %}
  {% set base = raw_dir ~ '/' ~ table %}
  {% set forms = [] %}
  {% for kind, pattern, patterns in [
      ('parquet', base ~ '.parquet', [base ~ '.parquet']),
      ('csv', base ~ '.csv', [base ~ '.csv']),
      ('csv', base ~ '.csv.gz', [base ~ '.csv.gz']),
      ('parquet', base ~ '/**/*.parquet', [base ~ '/**/*.parquet']),
      ('csv', base ~ '/**/*.csv(.gz)', [base ~ '/**/*.csv', base ~ '/**/*.csv.gz']),
  ] %}
    {% set files = _landing_files(patterns) %}
    {% if files | length > 0 %}{% do forms.append((kind, pattern, files)) %}{% endif %}
  {% endfor %}
  {{ return(landing_form_or_stop(raw_dir, table, spec, forms)) }}
{% endmacro %}


{#- Register a landing table for this build: the files it has not loaded before (all of them
    in a full recompute) are checked, counted in landing.landing_files, their rejected CSV lines
    kept, and the view `landing.<table>` reads exactly those files: what this build loads. -#}
{% macro _register_landing_table(table, spec, found, mode) %}
  {% set files = [] %}
  {% if found is not none %}
    {% set loaded = [] %}
    {% if mode != 'full' %}
      {% set rows = run_query("select source_file from landing.landing_files where source_table = "
          ~ _sql_literal(table)) %}
      {% set loaded = rows.columns[0].values() | list %}
    {% endif %}
    {% for file in found[2] if file not in loaded %}{% do files.append(file) %}{% endfor %}
  {% endif %}

  {% if files | length == 0 %}
    {% set cols = [] %}
    {% for name, must in spec.columns %}
      {% do cols.append('cast(null as varchar) as ' ~ name) %}
    {% endfor %}
    {% do run_query('create or replace view landing.' ~ table ~ ' as select '
        ~ cols | join(', ') ~ ', cast(null as varchar) as _source_file where false') %}
    {{ return(none) }}
  {% endif %}

  {% set kind = found[0] %}
  {% do _check_not_empty(table, files) %}
  {% if kind == 'csv' %}
    {% do _register_csv_table(table, spec, files) %}
  {% else %}
    {% do _register_parquet_table(table, spec, files) %}
  {% endif %}
  {#- when and how big each newly loaded file was: a later change is detected against this -#}
  {% do run_query(
      "update landing.landing_files as f set file_size = b.size, "
      ~ "file_modified_at = cast(b.last_modified as timestamp), loaded_invocation_id = "
      ~ _sql_literal(invocation_id) ~ " from read_blob(" ~ _sql_list(files) ~ ") as b "
      ~ "where f.source_file = b.filename and f.loaded_invocation_id is null") %}
  {% do run_query(
      "update landing.rejected_lines set loaded_invocation_id = " ~ _sql_literal(invocation_id)
      ~ " where loaded_invocation_id is null") %}
{% endmacro %}


{#- A 0-byte file is not a valid landing file in any form: a CSV needs its header row (a
    header-only file is the way to say "no rows"), a Parquet file its footer. It is the mark of
    an export that failed, so it stops the build instead of silently reading as no rows. -#}
{% macro _check_not_empty(table, files) %}
  {% set empty = run_query("select filename from read_blob(" ~ _sql_list(files)
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
{% macro _register_parquet_table(table, spec, files) %}
  {% set pattern = _sql_list(files) %}
  {% do _refuse_files_without(table, pattern,
      "size < 12 or content[1:4] <> 'PAR1'::blob or content[-4:] <> 'PAR1'::blob",
      "is not a readable Parquet file (no PAR1 magic bytes at its start and end): truncated, "
      ~ "or another format under a .parquet name. Re-export it as Parquet.") %}

  {% set schemas = run_query(
      "select file_name, lower(name) from parquet_schema(" ~ pattern
      ~ ") order by file_name") %}
  {% set by_file = {} %}
  {% for row in schemas.rows %}
    {% do by_file.setdefault(row[0], {}).update({row[1]: row[1]}) %}
  {% endfor %}
  {% for file, present in by_file.items() %}
    {% do _contract_columns(table, spec, present, file) %}
  {% endfor %}

  {% do run_query(
      "insert into landing.landing_files (source_table, source_file, file_format, records) "
      ~ "select " ~ _sql_literal(table) ~ ", file_name, 'parquet', "
      ~ "num_rows from parquet_file_metadata(" ~ pattern ~ ")") %}

  {% set reader = "read_parquet(" ~ pattern ~ ", union_by_name = true, filename = true)" %}
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
    the view over all files skips them (the same reader options, so the same lines).

    As real tools write CSV:
    - Line endings: DuckDB reads CRLF, LF or CR, but its strict reader stops on a file that
      mixes them (a Windows export appended to by a shell script). Such a file is read through
      a copy with every line ending made LF (_csv_read_path); line numbers do not change, and
      rows, rejected lines and quarantine name the original file.
    - A UTF-8 byte-order mark is skipped; blank lines are not rows (DuckDB skips them; they
      still count in line numbers).
    - Header names may be quoted, have spaces around them, come in any order, and be joined
      by names the contract does not know (ignored); see _csv_header.
    - A NUL byte has no meaning in any contract column (ids, enums, timestamps, JSON text) and
      no warehouse text type keeps it: it is removed from the value, the row is read as usual.
    - A file appended to with its header row again (`cat today.csv >> all.csv`): a line equal
      to the file's header row is not a row (not counted, not quarantined; counted in
      landing_files.repeated_header_lines). A header row whose columns are in another order
      than the first stops the build: the rows after it would land in the wrong columns. -#}
{% macro _register_csv_table(table, spec, files) %}
  {% do _check_gzip(table, files) %}
  {% set selects = [] %}
  {% for file in files %}
    {% set header = _csv_header(table, file) %}
    {% set present = {} %}
    {% for name in header %}
      {% if name not in present %}
        {% do present.update({name: "replace(c" ~ loop.index ~ ", chr(0), '')"}) %}
      {% endif %}
    {% endfor %}
    {% set cols = _contract_columns(table, spec, present, file) %}
    {% set read_path = _csv_read_path(table, file, loop.index) %}
    {% set data_row = 'not ' ~ _csv_header_row_test(header) %}
    {% do _store_rejected_lines(table, file, read_path, header, data_row) %}
    {% do selects.append('select ' ~ cols | join(', ') ~ ', ' ~ _sql_literal(file)
        ~ ' as _source_file from '
        ~ landing_csv_reader(read_path, header | length,
            "store_rejects = true, rejects_table = 'landing_view_reject_errors', "
            ~ "rejects_scan = 'landing_view_reject_scans'")
        ~ ' where ' ~ data_row) %}
  {% endfor %}
  {% do run_query('create or replace view landing.' ~ table ~ ' as '
      ~ selects | join('\nunion all\n')) %}
{% endmacro %}


{#- A .csv.gz file must be gzip (magic bytes 1f 8b; files over 256 MB are left to DuckDB's
    reader, whose error also names the file). -#}
{% macro _check_gzip(table, files) %}
  {% set gz = [] %}
  {% for file in files if file.endswith('.gz') %}{% do gz.append(file) %}{% endfor %}
  {% if gz | length == 0 %}{{ return(none) }}{% endif %}
  {% do _refuse_files_without(table, _sql_list(gz),
      "size < 2 or content[1:2] <> '\\x1F\\x8B'::blob",
      "is not a readable gzip file (no gzip magic bytes at its start): another format under a "
      ~ ".gz name? Compress it with gzip, or name it .csv.") %}
{% endmacro %}


{#- Stop the build naming the landing files of `pattern` whose bytes fail a format's magic
    check (`bad`, a condition on read_blob's size and content); files over 256 MB are left to
    DuckDB's reader, whose error also names the file. -#}
{% macro _refuse_files_without(table, pattern, bad, problem) %}
  {% set refused = run_query(
      "select filename from read_blob(" ~ pattern ~ ") "
      ~ "where size <= 268435456 and (" ~ bad ~ ") order by filename") %}
  {% if refused.rows | length > 0 %}
    {% do exceptions.raise_compiler_error(
        "Landing file " ~ (refused.columns[0].values() | join(', ')) ~ " (table '" ~ table
        ~ "') " ~ problem) %}
  {% endif %}
{% endmacro %}


{#- The column names of a CSV file's header row (lower-case, unquoted). First the whole file is
    scanned line by line: a byte sequence that is not UTF-8 anywhere stops the build (an
    encoding problem is the whole file's, not a row's; DuckDB's CSV reader does not check the
    encoding of values a query does not read). Then the first line is read in file order and
    split on the commas outside quotes (RFC 4180: `"notes, internal"` is one name); each name
    loses a byte-order mark, surrounding spaces and its quotes. The quality readers split it
    the same way (chat_warehouse.quality.landing_csv.split_csv_header). -#}
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
    {% for raw in modules.re.findall('(?:^|,)("(?:[^"]|"")*"|[^,]*)', first.rows[0][0]) %}
      {% set name = raw | replace('\ufeff', '') | trim %}
      {% if name.startswith('"') and name.endswith('"') and name | length > 1 %}
        {% set name = name[1:-1] | replace('""', '"') | trim %}
      {% endif %}
      {% do names.append(name | lower) %}
    {% endfor %}
  {% endif %}
  {{ return(names) }}
{% endmacro %}


{#- The path DuckDB reads a CSV file from: the file itself, or, when the file mixes line
    endings (CRLF, LF, CR), a copy with every line ending LF beside the warehouse file
    (`<warehouse>.landing.<table>.<n>.csv`, rewritten on every run): DuckDB's strict reader stops
    on mixed line endings, and its lenient one silently drops surplus fields. The copy has the
    same lines, so line numbers stay those of the original. Not checked: a .csv.gz (DuckDB
    cannot read its text outside the CSV reader) and a file over 1 GiB (read_text holds the
    whole file in memory); a mix there stops the build with DuckDB's error naming the file. -#}
{% macro _csv_read_path(table, file, index) %}
  {% if file.endswith('.gz') %}{{ return(file) }}{% endif %}
  {% set size = run_query("select size from read_blob(" ~ _sql_literal(file) ~ ")").rows[0][0] %}
  {% if size > 1073741824 %}{{ return(file) }}{% endif %}
  {% set endings = run_query(
      "select contains(content, chr(13) || chr(10))::int "
      ~ "+ regexp_matches(content, '(^|[^' || chr(13) || '])' || chr(10))::int "
      ~ "+ regexp_matches(content, chr(13) || '([^' || chr(10) || ']|$)')::int "
      ~ "from read_text(" ~ _sql_literal(file) ~ ")") %}
  {% if endings.rows[0][0] < 2 %}{{ return(file) }}{% endif %}
  {% set copy = target.path ~ '.landing.' ~ table ~ '.' ~ index ~ '.csv' %}
  {% do run_query(
      "copy (select replace(replace(content, chr(13) || chr(10), chr(10)), chr(13), chr(10)) "
      ~ "from read_text(" ~ _sql_literal(file) ~ ")) to " ~ _sql_literal(copy)
      ~ " (format csv, header false, quote '', escape '', delimiter ',')") %}
  {% do log("Landing file " ~ file ~ " mixes line endings (CRLF, LF, CR): read through "
      ~ copy ~ ", its copy with LF line endings.", info=true) %}
  {{ return(copy) }}
{% endmacro %}


{#- SQL true for a line of a CSV file that repeats its header row (each field, trimmed and
    lower-cased, equal to the header's name at its position). -#}
{% macro _csv_header_row_test(header) %}
  {% set tests = [] %}
  {% for name in header %}
    {% do tests.append(_csv_field_name('c' ~ loop.index) ~ ' = ' ~ _sql_literal(name)) %}
  {% endfor %}
  {{ return('(' ~ tests | join(' and ') ~ ')') }}
{% endmacro %}


{#- A CSV field as a header name: without a byte-order mark, NUL bytes and surrounding
    whitespace, lower-case, '' when empty. -#}
{% macro _csv_field_name(column) %}
  {{ return("lower(trim(replace(replace(coalesce(" ~ column ~ ", ''), chr(65279), ''), chr(0), ''), "
      ~ "' ' || chr(9) || chr(13) || chr(10)))") }}
{% endmacro %}


{#- Scan a CSV file once with the rejects tables on, and keep what the reader rejected: one row
    per rejected line, its first error (the reader reports a short line once per missing field).
    Stops the build when a line is not UTF-8 (an encoding problem is the whole file's, not a
    row's), and when a line repeats the header's names in another order: the file was appended
    to from an export with another column layout, and the rows after that line would land in
    the wrong columns. `data_row` is the SQL test of a line that is not a repeated header. -#}
{% macro _store_rejected_lines(table, file, read_path, header, data_row) %}
  {% set fields = [] %}
  {% for name in header %}{% do fields.append(_csv_field_name('c' ~ loop.index)) %}{% endfor %}
  {% do _drop_rejects_tables('landing_reject') %}
  {% set parsed = run_query('select count(*) filter (where ' ~ data_row ~ '), '
      ~ 'count(*) filter (where not (' ~ data_row ~ ')), '
      ~ 'count(*) filter (where ' ~ data_row ~ ' and list_sort([' ~ fields | join(', ')
      ~ ']) = list_sort(' ~ _sql_list(header) ~ ')) from '
      ~ landing_csv_reader(read_path, header | length,
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
      "insert into landing.rejected_lines (source_table, source_file, line, column_name, "
      ~ "error_type, error_message, csv_line) "
      ~ "select " ~ _sql_literal(table) ~ ", " ~ _sql_literal(file) ~ ", line, "
      ~ "case column_name" ~ header_names | join('') ~ " end, "
      ~ "error_type, error_message, trim(csv_line, chr(13) || chr(10)) "
      ~ "from landing_reject_errors "
      ~ "qualify row_number() over (partition by line order by column_idx, error_type) = 1") %}
  {% if parsed.rows[0][2] > 0 and header | length > 1 %}
    {% do exceptions.raise_compiler_error(
        "Landing file " ~ file ~ " (table '" ~ table ~ "') repeats its header row with the "
        ~ "columns in another order (" ~ parsed.rows[0][2] ~ " line(s)): it was appended to "
        ~ "from an export with another column layout, so the rows after that line would land "
        ~ "in the wrong columns. Split the file there (each part with its own header row), "
        ~ "e.g. into a folder " ~ table ~ "/ of parts.") %}
  {% endif %}
  {% set repeated_headers = parsed.rows[0][1] %}
  {% do run_query(
      "insert into landing.landing_files (source_table, source_file, file_format, records, "
      ~ "repeated_header_lines) select " ~ _sql_literal(table) ~ ", "
      ~ _sql_literal(file) ~ ", 'csv', " ~ parsed.rows[0][0] ~ " + count(distinct line), "
      ~ repeated_headers ~ " from landing_reject_errors") %}
  {% if repeated_headers > 0 %}
    {% do log("Landing file " ~ file ~ " repeats its header row " ~ repeated_headers
        ~ " time(s) (appended files?): those lines are not rows.", info=true) %}
  {% endif %}
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
    are temporary and unused (the hook's own scan filled landing.rejected_lines). The Python
    quality readers use the same options (chat_warehouse.quality.landing_csv.csv_reader_sql). -#}
{% macro landing_csv_reader(file, n_columns, options) %}
  {% set columns = [] %}
  {% for i in range(1, n_columns + 1) %}{% do columns.append("'c" ~ i ~ "': 'VARCHAR'") %}{% endfor %}
  {{ return("read_csv(" ~ _sql_literal(file) ~ ", header = true, auto_detect = false, "
      ~ "columns = {" ~ columns | join(', ') ~ "}, delim = ',', quote = '\"', escape = '\"', "
      ~ options ~ ")") }}
{% endmacro %}
