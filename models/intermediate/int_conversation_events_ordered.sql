-- Every row that can change a session (metrics.md §1), messages and actions together, in
-- walk order: time, then messages before actions, then id as text. Rows with no effect on
-- sessions (notifications, entering the chat, invisible agent rows) are left out: an implicit
-- close they could trigger takes effect anyway, since every row kept is at or before as_of.
--
-- Also computed here, in the same window: the waiting-stretch number (a stretch starts at
-- every human reply and every close action, where waiting_since is cleared) and the time of
-- the latest activity (buyer message, human or automated reply) up to each row.
with messages as (
    select * from {{ ref('stg_chat__messages') }}
    where created_at <= {{ as_of_timestamp() }}
),

actions as (
    select * from {{ ref('int_conversation_actions_versioned') }}
),

message_events as (
    select
        conversation_id,
        shop_id,
        created_at as event_at,
        0 as event_source_order,
        message_id as event_id,
        sender_id,
        sender_role = 'BUYER'
            and message_type not in (
                'BUYER_ENTER_FROM_PRODUCT', 'BUYER_ENTER_FROM_ORDER', 'BUYER_ENTER_FROM_TRANSFER'
            ) as is_buyer_message,
        sender_role = 'BUYER' and message_type = 'FAQ_QUESTION' as is_faq_click,
        sender_role in ('CUSTOMER_SERVICE', 'SHOP')
            and is_visible
            and message_type not in (
                'ALLOCATED_SERVICE', 'NOTIFICATION', 'BUYER_ENTER_FROM_PRODUCT',
                'BUYER_ENTER_FROM_ORDER', 'BUYER_ENTER_FROM_TRANSFER'
            ) as is_human_reply,
        sender_role = 'ROBOT' as is_automated_reply,
        message_type = 'ALLOCATED_SERVICE' as is_allocation,
        allocated_agent_id,
        cast(null as varchar) as action_type,
        cast(null as varchar) as action_agent_id,
        cast(null as varchar) as report_status
    from messages
),

action_events as (
    select
        conversation_id,
        shop_id,
        acted_at as event_at,
        1 as event_source_order,
        action_id as event_id,
        cast(null as varchar) as sender_id,
        false as is_buyer_message,
        false as is_faq_click,
        false as is_human_reply,
        false as is_automated_reply,
        false as is_allocation,
        cast(null as varchar) as allocated_agent_id,
        action_type,
        agent_id as action_agent_id,
        report_status
    from actions
),

events as (
    select * from message_events
    where is_buyer_message or is_human_reply or is_automated_reply or is_allocation
    union all
    select * from action_events
),

final as (
    select
        conversation_id,
        shop_id,
        event_at,
        event_source_order,
        event_id,
        row_number() over walk as walk_seq,
        sender_id,
        is_buyer_message,
        is_faq_click,
        is_buyer_message and not is_faq_click as is_waiting_trigger,
        is_human_reply,
        is_automated_reply,
        is_allocation,
        allocated_agent_id,
        action_type,
        action_agent_id,
        report_status,
        -- waiting_since is cleared by a human reply and by a close; count those boundaries
        sum(case when is_human_reply or action_type = 'CLOSE_SESSION' then 1 else 0 end)
            over walk_to_here as stretch_no,
        max(case when is_buyer_message or is_human_reply or is_automated_reply then event_at end)
            over walk_to_here as last_activity_at
    from events
    window
        walk as (partition by conversation_id order by event_at, event_source_order, event_id),
        walk_to_here as (
            partition by conversation_id order by event_at, event_source_order, event_id
            rows between unbounded preceding and current row
        )
)

select * from final
