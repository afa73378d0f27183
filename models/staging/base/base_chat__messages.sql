-- Every landing row of `messages`, typed, with the first contract rule it breaks (or null).
-- Rows sharing a message_id collapse to the one with the earliest created_at (metrics.md §8).
-- The free-text `content` is not kept (the metrics need only the allocation's agent_id, and
-- message text is personal data); a quarantined row keeps it in raw_row.
{% set landing_types = landing_column_types(source('landing', 'messages')) %}

with source as (
    select * from {{ source('landing', 'messages') }}
),

shops as (
    select shop_id from {{ ref('stg_chat__shops') }}
),

typed as (
    select
        {{ clean_text('message_id') }} as message_id,
        {{ clean_text('conversation_id') }} as conversation_id,
        {{ clean_text('shop_id') }} as shop_id,
        {{ clean_enum('sender_role') }} as sender_role,
        {{ clean_text('sender_id') }} as sender_id,
        {{ clean_enum('message_type') }} as message_type,
        cast(content as varchar) as content,
        {{ landing_timestamp('created_at', landing_types) }},
        {{ parse_boolean_text('is_visible') }} as is_visible_text,
        _source_file,
        {{ landing_row('source') }} as _landing_row
    from source
),

row_checked as (
    select
        typed.*,
        case
            {{ rule_required('message_id') }}
            {{ rule_required('conversation_id') }}
            {{ rule_required('shop_id') }}
            {{ rule_timestamp('created_at') }}
            {{ rule_enum('sender_role', ['BUYER', 'CUSTOMER_SERVICE', 'SHOP', 'ROBOT', 'SYSTEM']) }}
            {{ rule_enum('message_type', [
                'TEXT', 'IMAGE', 'VIDEO', 'EMOTICONS', 'PRODUCT_CARD', 'ORDER_CARD',
                'RETURN_REFUND_CARD', 'COUPON_CARD', 'FAQ_QUESTION', 'ALLOCATED_SERVICE',
                'NOTIFICATION', 'BUYER_ENTER_FROM_TRANSFER', 'BUYER_ENTER_FROM_PRODUCT',
                'BUYER_ENTER_FROM_ORDER', 'OTHER']) }}
            when typed.sender_role = 'BUYER' and typed.sender_id is null
                then 'buyer_sender_id_missing'
            when typed.is_visible_text = 'invalid' then 'is_visible_invalid'
            when typed.message_type = 'ALLOCATED_SERVICE'
                and {{ json_text_field('content', 'agent_id') }} is null
                then 'allocation_agent_id_missing'
            when typed.shop_id not in (select shops.shop_id from shops) then 'shop_unknown'
        end as quarantine_rule
    from typed
),

-- A conversation belongs to one shop: the shop of its earliest valid row. Rows naming
-- another shop are quarantined (only conversations with a conflict are ranked).
conflicting_conversations as (
    select conversation_id
    from row_checked
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
            row_checked.conversation_id,
            row_checked.shop_id,
            row_number() over (
                partition by row_checked.conversation_id
                order by row_checked.created_at, row_checked.message_id
            ) as shop_rank
        from row_checked
        inner join conflicting_conversations
            on row_checked.conversation_id = conflicting_conversations.conversation_id
        where row_checked.quarantine_rule is null
    ) as ranked
    where shop_rank = 1
),

checked as (
    select
        row_checked.* exclude (quarantine_rule),
        coalesce(
            row_checked.quarantine_rule,
            case
                when conversation_shops.shop_id is not null
                    and row_checked.shop_id <> conversation_shops.shop_id
                    then 'conversation_shop_conflict'
            end
        ) as quarantine_rule,
        coalesce(row_checked.is_visible_text <> 'false', true) as is_visible,
        case
            when row_checked.message_type = 'ALLOCATED_SERVICE'
                then {{ json_text_field('row_checked.content', 'agent_id') }}
        end as allocated_agent_id
    from row_checked
    left join conversation_shops
        on row_checked.conversation_id = conversation_shops.conversation_id
)

{{ finish_base_model('checked', ['message_id'],
    'created_at, conversation_id, sender_role, message_type, sender_id, allocated_agent_id, is_visible',
    drop_columns=['created_at_raw', 'is_visible_text', 'content']) }}
