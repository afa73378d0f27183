{#- The risk level of fct_sessions_at_risk for a session waiting longer than the var
    at_risk_waiting_hours: `WAITING_OVER_<hours>H` (WAITING_OVER_20H by default), so the label
    always says the threshold the build used. -#}
{% macro at_risk_waiting_label() -%}
  {%- set hours = var('at_risk_waiting_hours') -%}
  {%- if hours is number and hours == (hours | int) -%}{%- set hours = hours | int -%}{%- endif -%}
  {{- 'WAITING_OVER_' ~ hours ~ 'H' -}}
{%- endmacro %}
