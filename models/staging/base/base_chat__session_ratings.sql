-- Every landing row of `session_ratings`, typed, with the first contract rule it breaks (or
-- null). Identical copies of a rating_id collapse to one; copies that disagree are all
-- quarantined (duplicate_conflict). A rating that can never belong to a session (its
-- conversation has no buyer message, names another shop, or it predates the conversation's
-- first buyer message: metrics.md §6) is quarantined.
{% set landing_types = landing_column_types(source('landing', 'session_ratings')) %}

with source as (
    select * from {{ source('landing', 'session_ratings') }}
),

shops as (
    select shop_id from {{ ref('stg_chat__shops') }}
),

conversations as (
    {{ conversations_of_clean_messages() }}
),

typed as (
    select
        {{ clean_text('rating_id') }} as rating_id,
        {{ clean_text('conversation_id') }} as conversation_id,
        {{ clean_text('shop_id') }} as shop_id,
        {{ landing_timestamp('rated_at', landing_types) }},
        {{ clean_text('score') }} as score_raw,
        {{ integer_value('score') }} as score,
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
            {{ rule_required('rating_id') }}
            {{ rule_required('conversation_id') }}
            {{ rule_required('shop_id') }}
            {{ rule_timestamp('rated_at') }}
            when with_conversation.score_raw is null then 'score_missing'
            when with_conversation.score is null then 'score_invalid'
            when with_conversation.score not between 1 and 5 then 'score_out_of_range'
            when with_conversation.shop_id not in (select shops.shop_id from shops)
                then 'shop_unknown'
            {{ rule_conversation_known() }}
            when with_conversation.rated_at < with_conversation.first_buyer_message_at
                then 'rated_before_first_session'
        end as quarantine_rule
    from with_conversation
)

{{ finish_base_model('checked', ['rating_id'], 'rated_at, score, conversation_id, shop_id',
    drop_columns=['rated_at_raw', 'score_raw', 'conversation_shop_id', 'first_buyer_message_at'],
    conflict_columns=['conversation_id', 'shop_id', 'rated_at', 'score']) }}
