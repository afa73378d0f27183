{#- The model has no rows (use with severity: warn for operational marts). -#}
{% test is_empty(model) %}
select * from {{ model }}
{% endtest %}
