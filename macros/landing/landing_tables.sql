{#- The landing tables with their base model and the column that names a row. -#}
{% macro landing_tables() -%}
  {{ return([
    {'table': 'shops', 'base': 'base_chat__shops', 'key': 'shop_id'},
    {'table': 'messages', 'base': 'base_chat__messages', 'key': 'message_id'},
    {'table': 'conversation_actions', 'base': 'base_chat__conversation_actions', 'key': 'action_id'},
    {'table': 'shop_holiday_periods', 'base': 'base_chat__shop_holiday_periods', 'key': 'period_id'},
    {'table': 'agents', 'base': 'base_chat__agents', 'key': 'agent_id'},
    {'table': 'session_ratings', 'base': 'base_chat__session_ratings', 'key': 'rating_id'},
    {'table': 'orders', 'base': 'base_chat__orders', 'key': 'order_id'},
  ]) }}
{%- endmacro %}
