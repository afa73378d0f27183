{#- A staging model: the clean rows of its base model (no rule broken, first copy of a key). -#}
{% macro clean_rows_of(base_model, columns) -%}
with base as (
    select * from {{ ref(base_model) }}
),

final as (
    select
        {{ columns | join(',\n        ') }}
    from base
    where quarantine_rule is null
        and not is_collapsed_duplicate
)

select * from final
{%- endmacro %}


{#- The file name of a path (the part after the last `/`). -#}
{% macro file_name_of(path) -%}
  {{ return(adapter.dispatch('file_name_of', 'chat_warehouse')(path)) }}
{%- endmacro %}

{% macro default__file_name_of(path) -%}
  regexp_replace({{ path }}, '^.*/', '')
{%- endmacro %}


{#- One row per conversation of the clean messages: its shop (one per conversation, see
    conversation_shop_conflict) and the time of its first buyer message (metrics.md §1), which
    opens its first session. Actions and ratings are checked against it: a conversation without
    a buyer message can have no session (`conversation_unknown`). With `of_rows` (a CTE with a
    conversation_id column), only the conversations those rows name. -#}
{% macro conversations_of_clean_messages(of_rows=none) -%}
    select
        conversation_id,
        min(shop_id) as conversation_shop_id,
        min(
            case
                when sender_role = 'BUYER'
                    and message_type not in (
                        'BUYER_ENTER_FROM_PRODUCT', 'BUYER_ENTER_FROM_ORDER', 'BUYER_ENTER_FROM_TRANSFER'
                    )
                    then created_at
            end
        ) as first_buyer_message_at
    from {{ ref('stg_chat__messages') }}
    {%- if of_rows %}
    where conversation_id in (select {{ of_rows }}.conversation_id from {{ of_rows }})
    {%- endif %}
    group by conversation_id
{%- endmacro %}


{#- Quarantine branches for a row that names a conversation (actions, ratings), given the
    columns conversation_shop_id and first_buyer_message_at of conversations_of_clean_messages()
    joined to it. -#}
{% macro rule_conversation_known() -%}
  when first_buyer_message_at is null then 'conversation_unknown'
  when shop_id <> conversation_shop_id then 'conversation_shop_conflict'
{%- endmacro %}
