{#- The raw landing tables of spec/contract.md: which tables must exist, and for each column
    whether the column itself must be present in the file. A column whose values are required
    by the contract must be present; optional columns that are absent read as null. -#}
{% macro landing_contract() -%}
  {{ return({
    'shops': {
      'required': true,
      'columns': [
        ('shop_id', true), ('platform', false), ('shop_name', false), ('timezone', true),
      ],
    },
    'messages': {
      'required': true,
      'columns': [
        ('message_id', true), ('conversation_id', true), ('shop_id', true),
        ('sender_role', true), ('sender_id', false), ('message_type', true),
        ('content', false), ('created_at', true), ('is_visible', false),
      ],
    },
    'conversation_actions': {
      'required': false,
      'columns': [
        ('action_id', true), ('conversation_id', true), ('shop_id', true),
        ('action_type', true), ('agent_id', false), ('acted_at', true),
        ('report_status', false), ('updated_at', true),
      ],
    },
    'shop_holiday_periods': {
      'required': true,
      'columns': [
        ('period_id', true), ('shop_id', true), ('starts_at', true), ('ends_at', false),
        ('updated_at', true),
      ],
    },
    'agents': {
      'required': false,
      'columns': [
        ('agent_id', true), ('shop_id', true), ('nickname', false), ('role', false),
        ('max_concurrent_sessions', false),
      ],
    },
    'session_ratings': {
      'required': false,
      'columns': [
        ('rating_id', true), ('conversation_id', true), ('shop_id', true),
        ('rated_at', true), ('score', true),
      ],
    },
    'orders': {
      'required': false,
      'columns': [
        ('order_id', true), ('shop_id', true), ('buyer_id', true), ('created_at', true),
        ('amount', true), ('currency', false),
      ],
    },
  }) }}
{%- endmacro %}


{% macro landing_dir() -%}
  {{ return(env_var('CHAT_RAW_DIR', 'data/demo') | replace('\\', '/') | trim) }}
{%- endmacro %}
