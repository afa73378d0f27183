{#- The one form a landing table is in, given the forms both engines' hooks found for it, each
    (kind, label, files): stops the build on a table in two forms and on a missing required
    table; none for an absent optional table. -#}
{% macro landing_form_or_stop(raw_dir, table, spec, forms) %}
  {% set base = raw_dir ~ '/' ~ table %}
  {% if forms | length > 1 %}
    {% do exceptions.raise_compiler_error(
        "Landing table '" ~ table ~ "' in CHAT_RAW_DIR=" ~ raw_dir ~ " is ambiguous: found "
        ~ (forms | map(attribute=1) | join(' and ')) ~ ". Keep exactly one of "
        ~ table ~ ".csv, " ~ table ~ ".csv.gz, " ~ table ~ ".parquet or a folder " ~ table ~ "/.") %}
  {% endif %}
  {% if forms | length == 0 %}
    {% if spec.required %}
      {% do exceptions.raise_compiler_error(
          "Required landing table '" ~ table ~ "' is missing: expected " ~ base ~ ".csv, "
          ~ base ~ ".csv.gz, " ~ base ~ ".parquet or a folder " ~ base ~ "/ of .parquet or "
          ~ ".csv/.csv.gz files "
          ~ "(set CHAT_RAW_DIR to the landing folder; it is now '" ~ raw_dir ~ "').") %}
    {% endif %}
    {{ return(none) }}
  {% endif %}
  {{ return(forms[0]) }}
{% endmacro %}
