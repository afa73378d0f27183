{#- A text field of a JSON object held in a text column; null when the text is not JSON. -#}
{% macro json_text_field(expr, field) -%}
  {{ return(adapter.dispatch('json_text_field', 'chat_warehouse')(expr, field)) }}
{%- endmacro %}

{% macro default__json_text_field(expr, field) -%}
  json_extract_path_text({{ expr }}, '{{ field }}')
{%- endmacro %}

{% macro duckdb__json_text_field(expr, field) -%}
  case when json_valid({{ expr }}) then json_extract_string({{ expr }}, '$.{{ field }}') end
{%- endmacro %}

{#- get_json_object is null on text that is not JSON -#}
{% macro spark__json_text_field(expr, field) -%}
  get_json_object({{ expr }}, '$.{{ field }}')
{%- endmacro %}


{#- Continuous percentile (linear interpolation), as an aggregate. -#}
{% macro percentile_cont(expr, fraction) -%}
  {{ return(adapter.dispatch('percentile_cont', 'chat_warehouse')(expr, fraction)) }}
{%- endmacro %}

{% macro default__percentile_cont(expr, fraction) -%}
  percentile_cont({{ fraction }}) within group (order by {{ expr }})
{%- endmacro %}

{% macro duckdb__percentile_cont(expr, fraction) -%}
  quantile_cont({{ expr }}, {{ fraction }})
{%- endmacro %}


{#- A stable text key from several columns (md5 of the values joined by '|'). -#}
{% macro surrogate_key(columns) -%}
  md5({% for c in columns %}coalesce(cast({{ c }} as {{ dbt.type_string() }}), '∅'){% if not loop.last %} || '|' || {% endif %}{% endfor %})
{%- endmacro %}


{#- A digest of a whole row (`alias`, a relation or subquery alias): equal rows, equal digests.
    An incremental refresh compares the rows it rewrote with their previous versions by it
    (int_refresh_keys; DECISIONS.md, "Incremental refresh", keys). DuckDB: its 64-bit hash of
    the row (the table alias is the row: every column, nulls included), computed for both
    versions in the same build; Spark (where every build is a full recompute): md5 of the
    row's JSON. -#}
{% macro row_digest(alias) -%}
  {{ return(adapter.dispatch('row_digest', 'chat_warehouse')(alias)) }}
{%- endmacro %}

{% macro default__row_digest(alias) -%}
  md5(to_json(struct({{ alias }}.*)))
{%- endmacro %}

{% macro duckdb__row_digest(alias) -%}
  hash({{ alias }})
{%- endmacro %}

{#- The type of row_digest. -#}
{% macro row_digest_type() -%}
  {{ return(adapter.dispatch('row_digest_type', 'chat_warehouse')()) }}
{%- endmacro %}

{% macro default__row_digest_type() -%}{{ dbt.type_string() }}{%- endmacro %}

{% macro duckdb__row_digest_type() -%}ubigint{%- endmacro %}


{#- Boolean text as the contract spells it (true/false, 1/0); null or blank is null, anything else
    is 'invalid' so that staging can quarantine it. -#}
{% macro parse_boolean_text(expr) -%}
  case
    when nullif(trim(cast({{ expr }} as {{ dbt.type_string() }})), '') is null then null
    when lower(trim(cast({{ expr }} as {{ dbt.type_string() }}))) in ('true', '1', 't', 'yes') then 'true'
    when lower(trim(cast({{ expr }} as {{ dbt.type_string() }}))) in ('false', '0', 'f', 'no') then 'false'
    else 'invalid'
  end
{%- endmacro %}


{#- `* exclude (a, b)`: every column but the named ones (`qualifier`: of that relation). -#}
{% macro star_except(columns, qualifier=none) -%}
  {{ return(adapter.dispatch('star_except', 'chat_warehouse')(columns, qualifier)) }}
{%- endmacro %}

{% macro default__star_except(columns, qualifier) -%}
  {% if qualifier %}{{ qualifier }}.{% endif %}* except ({{ columns | join(', ') }})
{%- endmacro %}

{% macro duckdb__star_except(columns, qualifier) -%}
  {% if qualifier %}{{ qualifier }}.{% endif %}* exclude ({{ columns | join(', ') }})
{%- endmacro %}


{#- Does the whole of the text `expr` match the regular expression `pattern` (a Python-style
    pattern, written as in a SQL literal without quotes)? -#}
{% macro regexp_full_match(expr, pattern) -%}
  {{ return(adapter.dispatch('regexp_full_match', 'chat_warehouse')(expr, pattern)) }}
{%- endmacro %}

{% macro default__regexp_full_match(expr, pattern) -%}
  regexp_like({{ expr }}, '^(?:{{ pattern }})$')
{%- endmacro %}

{% macro duckdb__regexp_full_match(expr, pattern) -%}
  regexp_full_match({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{#- Spark's string literals unescape a backslash: double it so that the regex keeps it -#}
{% macro spark__regexp_full_match(expr, pattern) -%}
  ({{ expr }} rlike '^(?:{{ pattern | replace('\\', '\\\\') }})$')
{%- endmacro %}


{#- The incremental strategy of a model that replaces the rows of its unique_key. Spark without
    Delta or Iceberg has no DELETE: every Spark build is a full recompute (DECISIONS.md,
    "Spark"), so appending to the rebuilt table is all it needs. -#}
{% macro keyed_incremental_strategy() -%}
  {{ return(adapter.dispatch('keyed_incremental_strategy', 'chat_warehouse')()) }}
{%- endmacro %}

{% macro default__keyed_incremental_strategy() -%}
  {{ return('delete+insert') }}
{%- endmacro %}

{% macro spark__keyed_incremental_strategy() -%}
  {{ return('append') }}
{%- endmacro %}


{#- The last non-null value of `expr` in a window frame (use as `{{ last_non_null(x) }} over
    (...)`): DuckDB takes IGNORE NULLS inside the call, Spark a second argument, the standard
    after it. -#}
{% macro last_non_null(expr) -%}
  {{ return(adapter.dispatch('last_non_null', 'chat_warehouse')(expr)) }}
{%- endmacro %}

{% macro default__last_non_null(expr) -%}
  last_value({{ expr }}) ignore nulls
{%- endmacro %}

{% macro duckdb__last_non_null(expr) -%}
  last_value({{ expr }} ignore nulls)
{%- endmacro %}

{% macro spark__last_non_null(expr) -%}
  last_value({{ expr }}, true)
{%- endmacro %}


{#- `expr` cast to `type`, or null where the value does not convert (instead of an error). DuckDB
    and Spark (whose ANSI mode makes a plain cast raise) both spell it try_cast; BigQuery's is
    safe_cast. -#}
{% macro safe_cast(expr, type) -%}
  {{ return(adapter.dispatch('safe_cast', 'chat_warehouse')(expr, type)) }}
{%- endmacro %}

{% macro default__safe_cast(expr, type) -%}
  try_cast({{ expr }} as {{ type }})
{%- endmacro %}

{% macro bigquery__safe_cast(expr, type) -%}
  safe_cast({{ expr }} as {{ type }})
{%- endmacro %}


{#- Between a CTE's `as` and its body: compute the CTE at each use instead of storing its rows
    once. DuckDB stores (materializes) a CTE used more than once; for a CTE that is a cheap pass
    over a big relation (a filter, a row-local case, a join to a small table), reading the input
    again costs much less than writing and reading the stored copy (DECISIONS.md, "CTEs over
    big relations: computed at each use on DuckDB").
    Only for deterministic CTEs: each use must see the same rows. Spark inlines deterministic
    CTEs by itself. -#}
{% macro inline_cte() -%}
  {{ return(adapter.dispatch('inline_cte', 'chat_warehouse')()) }}
{%- endmacro %}

{% macro default__inline_cte() -%}{%- endmacro %}

{% macro duckdb__inline_cte() -%}not materialized{%- endmacro %}


{#- A conversation's key, 0 .. 4095: a hash of its id. A conversation batch is a range of keys
    (macros/batches.sql); base_chat__messages and the walk store the key, so that a batch's
    scan of them skips the row groups of the other batches by their min/max. -#}
{% macro conversation_key(expr) -%}
  {{ return(adapter.dispatch('conversation_key', 'chat_warehouse')(expr)) }}
{%- endmacro %}

{% macro default__conversation_key(expr) -%}
  cast(pmod(hash({{ expr }}), {{ conversation_key_count() }}) as integer)
{%- endmacro %}

{% macro duckdb__conversation_key(expr) -%}
  cast(hash({{ expr }}) % {{ conversation_key_count() }} as integer)
{%- endmacro %}

{#- How many conversation keys there are (0 .. this - 1): the most batches a build can have. -#}
{% macro conversation_key_count() %}{{ return(4096) }}{% endmacro %}


{#- The end of a full build's select of base_chat__messages: its rows in order of
    conversation_key when the walk and the timeline will compute in at least
    `cluster_min_batches` conversation batches, so that each batch's rows sit in row groups of
    their own (macros/batches.sql). Nothing in a refresh (it appends a few rows), in a build
    with fewer batches (the sort costs more than the scans it saves), nor on Spark (it does not
    batch). -#}
{% macro cluster_by_conversation_key() -%}
  {{ return(adapter.dispatch('cluster_by_conversation_key', 'chat_warehouse')()) }}
{%- endmacro %}

{% macro default__cluster_by_conversation_key() -%}{%- endmacro %}

{% macro duckdb__cluster_by_conversation_key() -%}
  {%- if not is_incremental()
        and expected_conversation_batches() >= var('cluster_min_batches') | int %}
order by conversation_key
  {%- endif %}
{%- endmacro %}
