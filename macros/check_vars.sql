{#- on-run-start: stop the build, naming the var, when a var cannot mean what the rules need.
    An unparseable `as_of` would otherwise filter out every row and build empty marts; a zero or
    negative window would silently change every status. -#}
{% macro check_vars() %}
  {% if not execute %}{{ return('') }}{% endif %}
  {% set source, raw = as_of_setting() %}
  {% if raw is not none %}
    {% set parsed = run_query('select ' ~ as_of_timestamp() ~ ' as as_of').columns[0].values()[0] %}
    {% if parsed is none %}
      {% do exceptions.raise_compiler_error(
          source ~ " is '" ~ raw ~ "', which is not an ISO-8601 instant. Give a UTC instant such as "
          ~ "'2026-03-10 12:00:00' or '2026-03-10T12:00:00Z', or one with an offset ('+07:00'); "
          ~ "leave it unset for the start of the run.") %}
    {% endif %}
  {% endif %}
  {% for name in ['response_window_hours', 'session_expiry_hours', 'session_idle_close_hours',
                  'conversion_window_days', 'at_risk_waiting_hours',
                  'about_to_expire_hours'] %}
    {% set value = var(name) %}
    {% set smallest_ok = 0.000001 %}
    {% if value is not number or value is boolean or value < smallest_ok %}
      {% do exceptions.raise_compiler_error(
          "var " ~ name ~ " is '" ~ value ~ "'; it must be a "
          ~ "positive number"
          ~ " (see the vars table in README.md).") %}
    {% endif %}
  {% endfor %}
  {% set batch_rows = var('conversation_batch_rows', 0) %}
  {% if batch_rows is not number or batch_rows is boolean or batch_rows < 0
        or batch_rows != batch_rows | int %}
    {% do exceptions.raise_compiler_error(
        "var conversation_batch_rows is '" ~ batch_rows ~ "'; it must be a whole number of "
        ~ "messages, or 0 to compute in one piece (see the vars table in README.md).") %}
  {% endif %}
  {{ return('select 1 as vars_checked') }}
{% endmacro %}
