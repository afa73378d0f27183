{#- Time helpers. Each dispatches, so an adapter other than DuckDB can override one macro
    instead of every model (see DECISIONS.md, "Portability"). -#}

{#- The build's as_of instant as a UTC TIMESTAMP literal: var `as_of`, else the environment
    variable CHAT_AS_OF, else the start of this dbt invocation, so every model of one build
    agrees on it. -#}
{% macro as_of_timestamp() -%}
  {%- set raw = as_of_setting()[1] -%}
  {%- if raw is none -%}
    {%- set raw = run_started_at.strftime('%Y-%m-%d %H:%M:%S') -%}
  {%- endif -%}
  {{ parse_timestamp_utc("'" ~ raw ~ "'") }}
{%- endmacro %}


{#- Where as_of comes from and its text: ('var as_of', text), ('CHAT_AS_OF', text), or
    ('run start', none). CHAT_AS_OF is read only when the build runs, never while dbt parses:
    a new value of a var makes dbt parse the whole project again (about 5 s a build), a new
    value of CHAT_AS_OF does not, so the daily refresh (Dagster) and the benchmark pass it
    that way (DECISIONS.md, "What a refresh costs"). -#}
{% macro as_of_setting() %}
  {% set unset = ('', 'None', 'null', 'now') %}
  {% set raw = var('as_of', none) %}
  {% if raw is not none and (raw | string | trim) not in unset %}
    {{ return(('var as_of', raw | string | trim)) }}
  {% endif %}
  {% if execute %}
    {% set raw = env_var('CHAT_AS_OF', '') | trim %}
    {% if raw not in unset %}{{ return(('CHAT_AS_OF', raw)) }}{% endif %}
  {% endif %}
  {{ return(('run start', none)) }}
{% endmacro %}


{#- Text or timestamp → UTC TIMESTAMP; null when it cannot be parsed. ISO-8601 with an offset
    (`Z`, `+07:00`) is honoured, without one it is UTC. -#}
{% macro parse_timestamp_utc(expr) -%}
  {{ return(adapter.dispatch('parse_timestamp_utc', 'chat_warehouse')(expr)) }}
{%- endmacro %}

{% macro default__parse_timestamp_utc(expr) -%}
  cast({{ expr }} as timestamp)
{%- endmacro %}

{% macro duckdb__parse_timestamp_utc(expr) -%}
  cast(timezone('UTC', try_cast({{ expr }} as timestamptz)) as timestamp)
{%- endmacro %}

{#- Spark: the session time zone is UTC (profiles.yml), so a cast honours an offset and reads a
    naive text as UTC; try_cast gives null on text that is no timestamp. -#}
{% macro spark__parse_timestamp_utc(expr) -%}
  try_cast({{ expr }} as timestamp)
{%- endmacro %}


{#- A TIMESTAMP WITH TIME ZONE (a Parquet instant) as a UTC TIMESTAMP. -#}
{% macro utc_timestamp_of_tz(expr) -%}
  {{ return(adapter.dispatch('utc_timestamp_of_tz', 'chat_warehouse')(expr)) }}
{%- endmacro %}

{% macro default__utc_timestamp_of_tz(expr) -%}
  cast({{ expr }} as timestamp)
{%- endmacro %}

{% macro duckdb__utc_timestamp_of_tz(expr) -%}
  cast(timezone('UTC', {{ expr }}) as timestamp)
{%- endmacro %}


{#- UTC TIMESTAMP + a number of hours (the number may be a column). -#}
{% macro add_hours(ts, hours) -%}
  {{ return(adapter.dispatch('add_hours', 'chat_warehouse')(ts, hours)) }}
{%- endmacro %}

{% macro default__add_hours(ts, hours) -%}
  {{ dbt.dateadd('hour', hours, ts) }}
{%- endmacro %}

{% macro duckdb__add_hours(ts, hours) -%}
  ({{ ts }} + to_hours(cast({{ hours }} as bigint)))
{%- endmacro %}

{% macro spark__add_hours(ts, hours) -%}
  timestampadd(hour, cast({{ hours }} as bigint), {{ ts }})
{%- endmacro %}


{#- Whole seconds from `start_ts` to `end_ts` (both UTC TIMESTAMP). -#}
{% macro seconds_between(start_ts, end_ts) -%}
  {{ return(adapter.dispatch('seconds_between', 'chat_warehouse')(start_ts, end_ts)) }}
{%- endmacro %}

{% macro default__seconds_between(start_ts, end_ts) -%}
  {{ dbt.datediff(start_ts, end_ts, 'second') }}
{%- endmacro %}

{% macro duckdb__seconds_between(start_ts, end_ts) -%}
  (epoch({{ end_ts }}) - epoch({{ start_ts }}))
{%- endmacro %}

{#- as DuckDB's epoch(): seconds since 1970 as a DOUBLE (with the fraction) -#}
{% macro spark__seconds_between(start_ts, end_ts) -%}
  (cast({{ end_ts }} as double) - cast({{ start_ts }} as double))
{%- endmacro %}


{#- The local calendar date of a UTC TIMESTAMP in an IANA time zone (daylight saving honoured). -#}
{% macro local_date(ts, tz) -%}
  {{ return(adapter.dispatch('local_date', 'chat_warehouse')(ts, tz)) }}
{%- endmacro %}

{% macro default__local_date(ts, tz) -%}
  cast(convert_timezone('UTC', {{ tz }}, {{ ts }}) as date)
{%- endmacro %}

{% macro duckdb__local_date(ts, tz) -%}
  {{ _duckdb_per_time_zone(tz, "cast(timezone(@tz, timezone('UTC', " ~ ts ~ ")) as date)") }}
{%- endmacro %}

{% macro spark__local_date(ts, tz) -%}
  cast(from_utc_timestamp({{ ts }}, {{ tz }}) as date)
{%- endmacro %}


{#- Is `tz` a time zone name the warehouse knows? Used to quarantine shops. -#}
{% macro known_time_zones_relation() -%}
  {{ return(adapter.dispatch('known_time_zones_relation', 'chat_warehouse')()) }}
{%- endmacro %}

{% macro duckdb__known_time_zones_relation() -%}
  (select name as time_zone_name from pg_timezone_names())
{%- endmacro %}

{#- Elsewhere: the IANA names of the tz database dbt ships (pytz), as a VALUES list. -#}
{% macro default__known_time_zones_relation() -%}
  (
    select zones.time_zone_name
    from (values {% for name in modules.pytz.all_timezones -%}
      ('{{ name }}'){% if not loop.last %}, {% endif %}
    {%- endfor %}) as zones (time_zone_name)
  )
{%- endmacro %}


{#- A UTC TIMESTAMP as text `YYYY-MM-DD HH:MM:SS UTC` (for sentences such as the verdict
    explanation); null stays null. -#}
{% macro format_utc_timestamp(ts) -%}
  {{ return(adapter.dispatch('format_utc_timestamp', 'chat_warehouse')(ts)) }}
{%- endmacro %}

{% macro default__format_utc_timestamp(ts) -%}
  (cast({{ ts }} as {{ dbt.type_string() }}) || ' UTC')
{%- endmacro %}

{% macro duckdb__format_utc_timestamp(ts) -%}
  (strftime({{ ts }}, '%Y-%m-%d %H:%M:%S') || ' UTC')
{%- endmacro %}

{% macro spark__format_utc_timestamp(ts) -%}
  (date_format({{ ts }}, 'yyyy-MM-dd HH:mm:ss') || ' UTC')
{%- endmacro %}


{#- A number of seconds as text `<h>h <mm>m <ss>s` (e.g. 3725 -> `1h 02m 05s`); null stays null. -#}
{% macro format_duration(seconds) -%}
  (
    cast(cast(floor({{ seconds }} / 3600) as bigint) as {{ dbt.type_string() }}) || 'h '
    || lpad(cast(cast(floor(({{ seconds }} % 3600) / 60) as bigint) as {{ dbt.type_string() }}), 2, '0')
    || 'm '
    || lpad(cast(cast(floor({{ seconds }} % 60) as bigint) as {{ dbt.type_string() }}), 2, '0') || 's'
  )
{%- endmacro %}


{#- A DATE plus a whole number of days (negative: earlier). -#}
{% macro add_days(date_expr, days) -%}
  {{ return(adapter.dispatch('add_days', 'chat_warehouse')(date_expr, days)) }}
{%- endmacro %}

{% macro default__add_days(date_expr, days) -%}
  cast({{ dbt.dateadd('day', days, date_expr) }} as date)
{%- endmacro %}

{% macro duckdb__add_days(date_expr, days) -%}
  cast({{ date_expr }} + to_days(cast({{ days }} as integer)) as date)
{%- endmacro %}

{% macro spark__add_days(date_expr, days) -%}
  date_add({{ date_expr }}, cast({{ days }} as integer))
{%- endmacro %}


{#- The local hour (0-23) of a UTC TIMESTAMP in an IANA time zone (daylight saving honoured). -#}
{% macro local_hour(ts, tz) -%}
  {{ return(adapter.dispatch('local_hour', 'chat_warehouse')(ts, tz)) }}
{%- endmacro %}

{% macro default__local_hour(ts, tz) -%}
  extract(hour from convert_timezone('UTC', {{ tz }}, {{ ts }}))
{%- endmacro %}

{% macro duckdb__local_hour(ts, tz) -%}
  {{ _duckdb_per_time_zone(tz, "cast(hour(timezone(@tz, timezone('UTC', " ~ ts ~ "))) as integer)") }}
{%- endmacro %}

{% macro spark__local_hour(ts, tz) -%}
  hour(from_utc_timestamp({{ ts }}, {{ tz }}))
{%- endmacro %}


{#- The UTC instant (TIMESTAMP) at which a local DATE begins in an IANA time zone: local
    midnight, daylight saving honoured. -#}
{% macro local_midnight_utc(date_expr, tz) -%}
  {{ return(adapter.dispatch('local_midnight_utc', 'chat_warehouse')(date_expr, tz)) }}
{%- endmacro %}

{% macro default__local_midnight_utc(date_expr, tz) -%}
  convert_timezone({{ tz }}, 'UTC', cast({{ date_expr }} as timestamp))
{%- endmacro %}

{% macro duckdb__local_midnight_utc(date_expr, tz) -%}
  {{ _duckdb_per_time_zone(
      tz, "cast(timezone('UTC', timezone(@tz, cast(" ~ date_expr ~ " as timestamp))) as timestamp)") }}
{%- endmacro %}


{#- DuckDB converts with a time zone that is a column row by row through ICU, about 3 µs a
    row (measured: 4M rows in 14.6 s on 2 cores); with the zone a constant, 9x faster. So the
    DuckDB conversions branch on the shops' time zones, one constant branch each, and keep the
    per-row conversion for any other zone (and when the shops are not built yet, as in unit
    tests): the list makes a conversion faster, never different. `template` is the conversion
    with `@tz` where the zone goes. -#}
{% macro _duckdb_per_time_zone(tz, template) -%}
  {%- set zones = _shop_time_zones() -%}
  {%- if zones | length == 0 -%}
    {{ template | replace('@tz', tz) }}
  {%- else -%}
    (case {{ tz }}
    {%- for zone in zones %} when '{{ zone }}' then {{ template | replace('@tz', "'" ~ zone ~ "'") }}
    {%- endfor %} else {{ template | replace('@tz', tz) }} end)
  {%- endif -%}
{%- endmacro %}


{#- The distinct time zones of the clean shops, as built (empty when they are not built yet or
    outside a run); only names of letters, digits, `_`, `+`, `-` and `/`. -#}
{% macro _shop_time_zones() %}
  {% if not execute or target.type != 'duckdb' %}{{ return([]) }}{% endif %}
  {% set found = run_query("select count(*) from information_schema.tables"
      ~ " where table_catalog = current_database() and table_schema = 'staging'"
      ~ " and table_name = 'stg_chat__shops'") %}
  {% if found.columns[0].values()[0] == 0 %}{{ return([]) }}{% endif %}
  {% set zones = run_query("select distinct timezone from staging.stg_chat__shops"
      ~ " where regexp_full_match(timezone, '[A-Za-z0-9_+/-]+') order by 1 limit 64") %}
  {{ return(zones.columns[0].values() | list) }}
{%- endmacro %}

{% macro spark__local_midnight_utc(date_expr, tz) -%}
  to_utc_timestamp(cast({{ date_expr }} as timestamp), {{ tz }})
{%- endmacro %}
