-- Every landing row of `conversation_actions` (each a version of an action), typed, with the
-- first contract rule it breaks (or null). Identical versions (same action_id and updated_at)
-- collapse to one; versions stamped at the same instant that disagree are all quarantined
-- (duplicate_conflict), so the previous clean version counts. An action on a conversation with
-- no buyer message (so no session) or naming another shop than its conversation is quarantined.
{% set landing_types = landing_column_types(source('landing', 'conversation_actions')) %}

with source as (
    select * from {{ source('landing', 'conversation_actions') }}
),

shops as (
    select shop_id from {{ ref('stg_chat__shops') }}
),

conversations as (
    {{ conversations_of_clean_messages() }}
),

typed as (
    select
        {{ clean_text('action_id') }} as action_id,
        {{ clean_text('conversation_id') }} as conversation_id,
        {{ clean_text('shop_id') }} as shop_id,
        {{ clean_enum('action_type') }} as action_type,
        {{ clean_text('agent_id') }} as agent_id,
        {{ landing_timestamp('acted_at', landing_types) }},
        {{ clean_enum('report_status') }} as report_status,
        {{ landing_timestamp('updated_at', landing_types) }},
        _source_file,
        {{ landing_row('source') }} as _landing_row
    from source
),

with_conversation as (
    select
        typed.*,
        conversations.conversation_shop_id,
        conversations.first_buyer_message_at
    from typed
    left join conversations
        on typed.conversation_id = conversations.conversation_id
),

checked as (
    select
        with_conversation.*,
        case
            {{ rule_required('action_id') }}
            {{ rule_required('conversation_id') }}
            {{ rule_required('shop_id') }}
            {{ rule_enum('action_type', [
                'CLOSE_SESSION', 'MARK_NO_REPLY_NEEDED', 'REPORT_BUYER']) }}
            {{ rule_timestamp('acted_at') }}
            {{ rule_timestamp('updated_at') }}
            {{ rule_enum('report_status', ['PENDING', 'UPHELD', 'REJECTED'], required=false) }}
            when with_conversation.action_type = 'REPORT_BUYER'
                and with_conversation.report_status is null
                then 'report_status_missing'
            when with_conversation.shop_id not in (select shops.shop_id from shops)
                then 'shop_unknown'
            {{ rule_conversation_known() }}
        end as quarantine_rule
    from with_conversation
)

{{ finish_base_model('checked', ['action_id', 'updated_at'],
    'acted_at, conversation_id, action_type, agent_id, report_status, shop_id',
    drop_columns=['acted_at_raw', 'updated_at_raw', 'conversation_shop_id', 'first_buyer_message_at'],
    conflict_columns=['conversation_id', 'shop_id', 'action_type', 'agent_id', 'acted_at', 'report_status']) }}
