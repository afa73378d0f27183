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


{#- The landed rows of a keyed table that names conversations (actions, ratings) that this
    build decides: the CTEs `landed_all` and `landed`, to follow a `with`. In a full recompute
    every landed row; in an incremental refresh every landed copy of each key (`key`) that has
    a copy loaded now or a copy on a conversation whose messages were decided now
    (base_chat__messages' `_checked_invocation_id`), since those decide whether the conversation
    is known, its shop and its first buyer message; and rows without a key loaded now. Every
    other key's decisions stand (the model's unique_key is `key`, so its rows are replaced
    whole). The model needs `-- depends_on: {{ ref('base_chat__messages') }}`. -#}
{% macro landed_rows_decided_now(landed_model, key) -%}
-- read at each use: a stored copy would be every landed row
landed_all as {{ inline_cte() }} (
    select * from {{ ref(landed_model) }}
),

{% if is_incremental() -%}
keys_decided_now as (
    select {{ key }}
    from landed_all
    where _loaded_invocation_id = {{ this_invocation() }}
    union
    select {{ key }}
    from landed_all
    where conversation_id in (
        select conversation_id from {{ ref('base_chat__messages') }}
        where _checked_invocation_id = {{ this_invocation() }}
    )
),

{% endif -%}
landed as (
    select * from landed_all
    {%- if is_incremental() %}
    where
        {{ key }} in (select keys_decided_now.{{ key }} from keys_decided_now)
        or ({{ key }} is null and _loaded_invocation_id = {{ this_invocation() }})
    {%- endif %}
)
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
