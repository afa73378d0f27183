{#- The grain test: no two rows share the same values in `combination_of_columns`. In an
    incremental refresh it reads only the rows with a key this build wrote
    (macros/refresh_tests.sql). -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
select {{ combination_of_columns | join(', ') }}, count(*) as duplicate_rows
from {{ model }}{{ ' as tested' if model.identifier is defined }}
where true {{ written_keys_condition(model, combination_of_columns, 'tested') }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endtest %}
