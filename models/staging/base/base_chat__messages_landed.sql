-- Every row of `messages` as it landed, once: the rows of the landing files this build loads
-- (all of them in a full recompute, the new files in an incremental refresh), typed, with the
-- first row-local contract rule each breaks (or null). Rules across rows (a conversation's
-- shop, duplicates) are base_chat__messages'. The free-text `content` is not kept (the
-- metrics need only an allocation's agent_id, and message text is personal data); a row
-- quarantined here keeps it in raw_row.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
) }}
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
        cast(content as {{ dbt.type_string() }}) as content,
        {{ landing_timestamp('created_at', landing_types) }},
        {{ parse_boolean_text('is_visible') }} as is_visible_text,
        _source_file,
        {{ landing_row('source', landing_types) }} as _landing_row
    from source
),

checked as (
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
        end as quarantine_rule,
        coalesce(typed.is_visible_text <> 'false', true) as is_visible,
        case
            when typed.message_type = 'ALLOCATED_SERVICE'
                then {{ json_text_field('typed.content', 'agent_id') }}
        end as allocated_agent_id
    from typed
)

{{ landed_tail('checked', drop_columns=['created_at_raw', 'is_visible_text', 'content'],
    raw_rows='quarantined') }}
