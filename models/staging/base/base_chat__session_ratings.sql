-- Every landed row of `session_ratings`, with the decisions that need other rows: a rating
-- that can never belong to a session (its conversation has no buyer message, names another
-- shop, or it predates the conversation's first buyer message: metrics.md §6) is quarantined;
-- identical copies of a rating_id collapse to one; copies that disagree are all quarantined
-- (duplicate_conflict). Incremental by rating: a refresh decides again for the ratings with a
-- copy loaded now or on a conversation whose messages were decided now, from their landed
-- rows; no landing file is read again.
{{ config(
    materialized='incremental',
    unique_key='rating_id',
    incremental_strategy=keyed_incremental_strategy(),
    on_schema_change='sync_all_columns',
) }}
-- depends_on: {{ ref('base_chat__messages') }}

with {{ landed_rows_decided_now('base_chat__session_ratings_landed', 'rating_id') }},

conversations as (
    {{ conversations_of_clean_messages('landed') }}
),

checked as (
    select
        {{ star_except(['quarantine_rule'], 'landed') }},
        case
            when landed.quarantine_rule is not null then landed.quarantine_rule
            {{ rule_conversation_known() }}
            when landed.rated_at < conversations.first_buyer_message_at
                then 'rated_before_first_session'
        end as quarantine_rule
    from landed
    left join conversations
        on landed.conversation_id = conversations.conversation_id
)

{{ finish_base_model('checked', ['rating_id'], 'rated_at, score, conversation_id, shop_id',
    conflict_columns=['conversation_id', 'shop_id', 'rated_at', 'score']) }}
