{#-
  on-run-start hook: make every landing table of CHAT_RAW_DIR a view in schema `landing`,
  whatever its form (`<table>.csv`, `<table>.parquet`, or a folder `<table>/` of .parquet or
  .csv files). Every view has exactly the contract's columns plus `_source_file`.
  CSV is read as text (all_varchar) so that staging, not the reader, decides what is valid.
  An absent optional table becomes an empty view; a missing required table or column stops
  the build with a message naming the table, the file and the problem.
-#}
{% macro register_landing_tables() %}
  {% if not execute %}{{ return('') }}{% endif %}
  {% set raw_dir = landing_dir() %}
  {% set contract = landing_contract() %}
  {% do run_query('create schema if not exists landing') %}
  {% for table, spec in contract.items() %}
    {% do _register_landing_table(raw_dir, table, spec) %}
  {% endfor %}
  {{ return('select 1 as landing_registered') }}
{% endmacro %}


{% macro _landing_files(pattern) %}
  {% set result = run_query("select file from glob('" ~ pattern ~ "') order by file") %}
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
  {% set reader = landing_reader(kind, pattern) %}
  {% set described = run_query('describe select * from ' ~ reader) %}
  {% set present = {} %}
  {% for row in described.rows %}
    {% do present.update({row[0] | lower: row[0]}) %}
  {% endfor %}

  {% set cols = [] %}
  {% set missing = [] %}
  {% for name, must in spec.columns %}
    {% if name in present %}
      {% do cols.append(adapter.quote(present[name]) ~ ' as ' ~ name) %}
    {% elif must %}
      {% do missing.append(name) %}
    {% else %}
      {% do cols.append('cast(null as varchar) as ' ~ name) %}
    {% endif %}
  {% endfor %}
  {% if missing | length > 0 %}
    {% do exceptions.raise_compiler_error(
        "Landing table '" ~ table ~ "' (" ~ (files | join(', ')) ~ ") is missing required column(s) "
        ~ (missing | join(', ')) ~ "; found: " ~ ((present.keys() | list | reject('equalto', 'filename') | join(', ')) or 'no columns (empty file?)')
        ~ ". See spec/contract.md for the columns of each landing table.") %}
  {% endif %}
  {% do run_query('create or replace view landing.' ~ table ~ ' as select '
      ~ cols | join(', ') ~ ', filename as _source_file from ' ~ reader) %}
{% endmacro %}


{#- The DuckDB reader for one landing table. CSV: RFC 4180, header row, UTF-8, all text. -#}
{% macro landing_reader(kind, pattern) %}
  {% if kind == 'csv' %}
    {{ return("read_csv('" ~ pattern ~ "', header = true, all_varchar = true, delim = ',', "
        ~ "quote = '\"', escape = '\"', union_by_name = true, filename = true)") }}
  {% else %}
    {{ return("read_parquet('" ~ pattern ~ "', union_by_name = true, filename = true)") }}
  {% endif %}
{% endmacro %}
