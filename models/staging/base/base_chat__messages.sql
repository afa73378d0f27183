-- Every landed row of `messages` with the decisions that need other rows: a conversation
-- belongs to the shop of its earliest valid row (rows naming another shop are quarantined,
-- conversation_shop_conflict), and rows sharing a message_id collapse to the one with the
-- earliest created_at (metrics.md §8). Incremental by conversation: a refresh decides again
-- for the conversations of the rows it loaded and of earlier rows sharing a message_id with
-- them (every row such a decision can change), from their landed rows; no landing file is
-- read again. A full build writes the rows in order of conversation_key, so that a
-- conversation batch of the walk and the timeline reads only its own row groups
-- (macros/batches.sql).
{{ config(
    materialized='incremental',
    unique_key='conversation_id',
    incremental_strategy=keyed_incremental_strategy(),
    on_schema_change='sync_all_columns',
) }}

-- read at each use: a refresh uses it three times, and a stored copy would be every landed row
with landed_all as {{ inline_cte() }} (
    select * from {{ ref('base_chat__messages_landed') }}
),

{% if is_incremental() %}
loaded_now as (
    select
        conversation_id,
        message_id
    from landed_all
    where _loaded_invocation_id = {{ this_invocation() }}
),

affected_conversations as (
    select loaded_now.conversation_id
    from loaded_now
    where loaded_now.conversation_id is not null
    union
    select landed_all.conversation_id
    from landed_all
    inner join loaded_now
        on landed_all.message_id = loaded_now.message_id
    where landed_all.conversation_id is not null
),
{% endif %}

-- a full build reads every landed row at each use; a refresh stores the few it decides again
-- once (each use would otherwise scan every landed row)
landed as {{ inline_cte() if not is_incremental() }} (
    select * from landed_all
    {% if is_incremental() %}
        where
            conversation_id in (
                select affected_conversations.conversation_id from affected_conversations
            )
            or (conversation_id is null and _loaded_invocation_id = {{ this_invocation() }})
    {% endif %}
),

-- A conversation belongs to one shop: the shop of its earliest valid row. Rows naming
-- another shop are quarantined (only conversations with a conflict are ranked).
conflicting_conversations as (
    select conversation_id
    from landed
    where quarantine_rule is null
    group by conversation_id
    having count(distinct shop_id) > 1
),

conversation_shops as (
    select
        conversation_id,
        shop_id
    from (
        select
            landed.conversation_id,
            landed.shop_id,
            row_number() over (
                partition by landed.conversation_id
                order by landed.created_at, landed.message_id
            ) as shop_rank
        from landed
        inner join conflicting_conversations
            on landed.conversation_id = conflicting_conversations.conversation_id
        where landed.quarantine_rule is null
    ) as ranked
    where shop_rank = 1
),

checked as {{ inline_cte() }} (
    select
        {{ star_except(['quarantine_rule', '_loaded_invocation_id'], 'landed') }},  -- noqa: RF02
        coalesce(
            landed.quarantine_rule,
            case
                when conversation_shops.shop_id is not null
                    and landed.shop_id <> conversation_shops.shop_id
                    then 'conversation_shop_conflict'
            end
        ) as quarantine_rule,
        landed._loaded_invocation_id,
        {{ this_invocation() }} as _checked_invocation_id,
        {{ conversation_key('landed.conversation_id') }} as conversation_key
    from landed
    left join conversation_shops
        on landed.conversation_id = conversation_shops.conversation_id
)

{{ finish_base_model('checked', ['message_id'],
    'created_at, conversation_id, sender_role, message_type, sender_id, allocated_agent_id, is_visible',
    raw_row_columns=['message_id', 'conversation_id', 'shop_id', 'sender_role', 'sender_id',
                     'message_type', 'allocated_agent_id', 'created_at', 'is_visible',
                     '_source_file']) }}
{{ cluster_by_conversation_key() }}
