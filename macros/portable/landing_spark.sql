{#-
  The on-run-start landing hook on Spark (dispatched from register_landing_tables; the DuckDB
  version is macros/portable/landing_duckdb.sql). The same contract: every landing
  table of CHAT_RAW_DIR (`<table>.csv`, `<table>.csv.gz`, `<table>.parquet`, or a folder
  `<table>/` of .parquet or of .csv/.csv.gz files) becomes a view `landing.<table>` with exactly
  the contract's columns plus `_source_file`; an absent optional table is an empty view; a
  missing required table or column, or a table in two forms, stops the build naming it.

  How Spark reads them:
  - The folder is listed once with Spark's `binaryFile` source (path and size only; the content
    is never read).
  - Each CSV file is an external table `landing._csv_<table>_<n>` (Spark's CSV reader: header
    row, RFC 4180 quoting, multi-line values, every column text, named c1, c2, ... by the
    position of the file's own header, so files of a folder may order their columns
    differently). PERMISSIVE mode keeps a line with the wrong number of fields in the column
    `_corrupt_record`: the view skips it, `landing.rejected_lines` lists it (quarantined as
    `csv_too_many_columns` / `csv_too_few_columns`). A line repeating the header row is not a
    row. Spark does not report line numbers: a rejected line's number is that of the first
    line of the file with the same text.
  - Parquet files of a table are one external table `landing._parquet_<table>` (by column name,
    schemas merged).
  - `landing.landing_files` (each file's records) and `landing.rejected_lines` are views, so
    they always describe the files as they are now; `landing.refresh_log` says this build is a
    full recompute (DECISIONS.md, "Spark": every Spark build is one).
  Not checked on Spark (DuckDB's hook checks them): a file that is not UTF-8, a .gz that is not
  gzip, a 0-byte file, a header repeated in another column order, a file mixing line endings.
-#}
{% macro spark__register_landing_tables() %}
  {% if not execute %}{{ return('') }}{% endif %}
  {% set raw_dir = landing_dir().rstrip('/') %}
  {% set contract = landing_contract() %}
  {% do run_query('create schema if not exists landing') %}
  {% set listing = _spark_list_files(raw_dir) %}
  {% set files_selects = [] %}
  {% set rejected_selects = [] %}
  {% for table, spec in contract.items() %}
    {% set found = _spark_find_landing_table(raw_dir, table, spec, listing) %}
    {% do _spark_register_landing_table(table, spec, found, files_selects, rejected_selects) %}
  {% endfor %}
  {% do run_query('create or replace view landing.landing_files as '
      ~ (files_selects | join('\nunion all\n') if files_selects else
         "select cast(null as string) as source_table, cast(null as string) as source_file, "
         ~ "cast(null as string) as file_format, cast(null as bigint) as records where false")) %}
  {% do run_query('create or replace view landing.rejected_lines as '
      ~ (rejected_selects | join('\nunion all\n') if rejected_selects else
         "select cast(null as string) as source_table, cast(null as string) as source_file, "
         ~ "cast(null as bigint) as line, cast(null as string) as column_name, "
         ~ "cast(null as string) as error_type, cast(null as string) as error_message, "
         ~ "cast(null as string) as csv_line where false")) %}
  {% do run_query(
      "create or replace view landing.refresh_log as select "
      ~ _sql_literal(invocation_id) ~ " as invocation_id, "
      ~ "cast(" ~ _sql_literal(run_started_at.strftime('%Y-%m-%d %H:%M:%S')) ~ " as timestamp) as started_at, "
      ~ as_of_timestamp() ~ " as as_of, cast(null as timestamp) as previous_as_of, "
      ~ "'full' as mode, 'every Spark build is a full recompute' as reason, "
      ~ "cast(null as string) as fingerprint, true as completed") %}
  {{ log("Refresh: full (every Spark build is a full recompute)", info=true) }}
  {{ return('select 1 as landing_registered') }}
{% endmacro %}


{#- Every file under the landing folder, as paths relative to it (Spark's binaryFile source
    skips names starting with `_` or `.`, as DuckDB's glob does not need to). -#}
{% macro _spark_list_files(raw_dir) %}
  {% do run_query("create or replace temporary view _chat_landing_listing using binaryFile "
      ~ "options (path " ~ _sql_literal(raw_dir) ~ ", recursiveFileLookup 'true')") %}
  {% set rows = run_query("select path from _chat_landing_listing order by path") %}
  {#- Spark lists absolute paths (`file:/abs/...`, `s3a://bucket/...`); a relative folder is
      found by its `/<folder>/` inside them -#}
  {% set absolute = raw_dir.startswith('/') or '://' in raw_dir %}
  {% set root = (raw_dir if absolute else '/' ~ raw_dir.lstrip('./')) ~ '/' %}
  {% set relative = [] %}
  {% for row in rows %}
    {% set path = row[0] | replace('file://', '') | replace('file:', '') %}
    {% set at = path.find(root) %}
    {% if at >= 0 %}{% do relative.append(path[at + (root | length):]) %}{% endif %}
  {% endfor %}
  {{ return(relative) }}
{% endmacro %}


{#- (kind, label, [file paths]) of a landing table, or none when absent (optional tables). -#}
{% macro _spark_find_landing_table(raw_dir, table, spec, listing) %}
  {% set forms = [] %}
  {% for kind, label, test in [
      ('csv', table ~ '.csv', '^' ~ table ~ '\\.csv$'),
      ('csv', table ~ '.csv.gz', '^' ~ table ~ '\\.csv\\.gz$'),
      ('parquet', table ~ '.parquet', '^' ~ table ~ '\\.parquet$'),
      ('parquet', table ~ '/**/*.parquet', '^' ~ table ~ '/.*\\.parquet$'),
      ('csv', table ~ '/**/*.csv(.gz)', '^' ~ table ~ '/.*\\.csv(\\.gz)?$'),
  ] %}
    {% set files = [] %}
    {% for rel in listing if modules.re.match(test, rel) %}
      {% do files.append(raw_dir ~ '/' ~ rel) %}
    {% endfor %}
    {% if files | length > 0 %}{% do forms.append((kind, raw_dir ~ '/' ~ label, files)) %}{% endif %}
  {% endfor %}
  {{ return(landing_form_or_stop(raw_dir, table, spec, forms)) }}
{% endmacro %}


{% macro _spark_register_landing_table(table, spec, found, files_selects, rejected_selects) %}
  {% if found is none %}
    {% set cols = [] %}
    {% for name, must in spec.columns %}
      {% do cols.append('cast(null as string) as ' ~ name) %}
    {% endfor %}
    {% do run_query('create or replace view landing.' ~ table ~ ' as select '
        ~ cols | join(', ') ~ ', cast(null as string) as _source_file where false') %}
    {{ return(none) }}
  {% endif %}
  {% if found[0] == 'csv' %}
    {% do _spark_register_csv_table(table, spec, found[2], files_selects, rejected_selects) %}
  {% else %}
    {% do _spark_register_parquet_table(table, spec, found[2], files_selects) %}
  {% endif %}
{% endmacro %}


{#- Parquet: one external table over the table's files (a folder: every .parquet under it). -#}
{% macro _spark_register_parquet_table(table, spec, files, files_selects) %}
  {% set relation = 'landing._parquet_' ~ table %}
  {% set single = files | length == 1 and files[0].endswith('/' ~ table ~ '.parquet') %}
  {% set path = files[0] if single else files[0][:files[0].rfind('/' ~ table ~ '/')] ~ '/' ~ table %}
  {% do run_query('drop table if exists ' ~ relation) %}
  {% do run_query('create table ' ~ relation ~ ' using parquet options (path '
      ~ _sql_literal(path) ~ ", recursiveFileLookup 'true', pathGlobFilter '*.parquet', "
      ~ "mergeSchema 'true')") %}
  {% set present = {} %}
  {% for column in adapter.get_columns_in_relation(api.Relation.create(schema='landing',
      identifier='_parquet_' ~ table)) %}
    {% do present.update({column.name | lower: '`' ~ column.name ~ '`'}) %}
  {% endfor %}
  {% set cols = _contract_columns(table, spec, present, files | join(', ')) %}
  {#- the file as the landing folder names it: the folder's path + the part below it -#}
  {% if single %}
    {% set source_file = _sql_literal(path) %}
  {% else %}
    {% set source_file = _sql_literal(path ~ '/') ~ " || regexp_extract(_metadata.file_path, "
        ~ _sql_literal('/' ~ table ~ '/(.*)$') ~ ", 1)" %}
  {% endif %}
  {% do run_query('create or replace view landing.' ~ table ~ ' as select '
      ~ cols | join(', ') ~ ', ' ~ source_file ~ ' as _source_file from ' ~ relation) %}
  {% do files_selects.append("select " ~ _sql_literal(table) ~ " as source_table, _source_file "
      ~ "as source_file, 'parquet' as file_format, count(*) as records from landing." ~ table
      ~ " group by _source_file") %}
{% endmacro %}


{#- CSV: one external table per file (its own header's column order); see the top. -#}
{% macro _spark_register_csv_table(table, spec, files, files_selects, rejected_selects) %}
  {% set selects = [] %}
  {% for file in files %}
    {% set relation = 'landing._csv_' ~ table ~ '_' ~ loop.index %}
    {% set header = _spark_csv_header(file) %}
    {% set columns = [] %}
    {% set present = {} %}
    {% for name in header %}
      {% do columns.append('c' ~ loop.index ~ ' string') %}
      {% if name not in present %}
        {% do present.update({name: "replace(c" ~ loop.index ~ ", char(0), '')"}) %}
      {% endif %}
    {% endfor %}
    {% set cols = _contract_columns(table, spec, present, file) %}
    {% do run_query('drop table if exists ' ~ relation) %}
    {% do run_query('create table ' ~ relation ~ ' (' ~ columns | join(', ')
        ~ ', _corrupt_record string) using csv options (path ' ~ _sql_literal(file)
        ~ ", header 'true', mode 'PERMISSIVE', columnNameOfCorruptRecord '_corrupt_record', "
        ~ "multiLine 'true', quote '\"', escape '\"', encoding 'UTF-8')") %}
    {% set header_row = _spark_csv_header_row_test(header) %}
    {% set data_row = '_corrupt_record is null and not ' ~ header_row %}
    {% do selects.append('select ' ~ cols | join(', ') ~ ', ' ~ _sql_literal(file)
        ~ ' as _source_file from ' ~ relation ~ ' where ' ~ data_row) %}
    {% do files_selects.append("select " ~ _sql_literal(table) ~ " as source_table, "
        ~ _sql_literal(file) ~ " as source_file, 'csv' as file_format, "
        ~ "count(*) as records from " ~ relation ~ " where not " ~ header_row) %}
    {#- a rejected line: its number is that of the first line of the file with its text (the
        test on c1 keeps Spark from reading the corrupt-record column alone, which it refuses) -#}
    {% set n_fields = header | length %}
    {% do rejected_selects.append(
        "select " ~ _sql_literal(table) ~ " as source_table, " ~ _sql_literal(file)
        ~ " as source_file, lines.line, cast(null as string) as column_name, "
        ~ "case when size(split(bad.csv_line, ',', -1)) > " ~ n_fields
        ~ " then 'TOO MANY COLUMNS' else 'MISSING COLUMNS' end as error_type, "
        ~ "'expected " ~ n_fields ~ " fields' as error_message, bad.csv_line "
        ~ "from (select c1, rtrim(_corrupt_record, char(13) || char(10)) as csv_line from "
        ~ relation ~ " where _corrupt_record is not null and (c1 is null or length(c1) >= 0)) as bad "
        ~ "left join (select value, min(line) as line from (select value, "
        ~ "row_number() over (order by monotonically_increasing_id()) as line from text.`"
        ~ file ~ "`) group by value) as lines on lines.value = bad.csv_line") %}
  {% endfor %}
  {% do run_query('create or replace view landing.' ~ table ~ ' as '
      ~ selects | join('\nunion all\n')) %}
{% endmacro %}


{#- The column names of a CSV file's header row (lower-case, unquoted), split as the DuckDB
    hook splits them (_csv_header). -#}
{% macro _spark_csv_header(file) %}
  {% set first = run_query("select value from text.`" ~ file ~ "` limit 1") %}
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


{#- SQL true for a line repeating the file's header row (as _csv_header_row_test). -#}
{% macro _spark_csv_header_row_test(header) %}
  {% set tests = [] %}
  {% for name in header %}
    {% do tests.append("lower(trim(regexp_replace(replace(coalesce(c" ~ loop.index
        ~ ", ''), char(0), ''), '[\\uFEFF\\t\\r\\n]', ''))) = " ~ _sql_literal(name)) %}
  {% endfor %}
  {{ return('(' ~ tests | join(' and ') ~ ')') }}
{% endmacro %}
