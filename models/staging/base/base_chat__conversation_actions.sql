-- Every landed row of `conversation_actions` (each a version of an action), with the
-- decisions that need other rows: an action on a conversation with no buyer message (so no
-- session) or naming another shop than its conversation is quarantined; identical versions
-- (same action_id and updated_at) collapse to one; versions stamped at the same instant that
-- disagree are all quarantined (duplicate_conflict), so the previous clean version counts.
-- Incremental by action: a refresh decides again for the actions with a version loaded now
-- or on a conversation whose messages were decided now, from their landed rows; no landing
-- file is read again.
{{ config(
    materialized='incremental',
    unique_key='action_id',
    incremental_strategy=keyed_incremental_strategy(),
    on_schema_change='sync_all_columns',
) }}
-- depends_on: {{ ref('base_chat__messages') }}

with {{ landed_rows_decided_now('base_chat__conversation_actions_landed', 'action_id') }},

conversations as (
    {{ conversations_of_clean_messages('landed') }}
),

checked as (
    select
        {{ star_except(['quarantine_rule'], 'landed') }},
        case
            when landed.quarantine_rule is not null then landed.quarantine_rule
            {{ rule_conversation_known() }}
        end as quarantine_rule
    from landed
    left join conversations
        on landed.conversation_id = conversations.conversation_id
)

{{ finish_base_model('checked', ['action_id', 'updated_at'],
    'acted_at, conversation_id, action_type, agent_id, report_status, shop_id',
    conflict_columns=['conversation_id', 'shop_id', 'action_type', 'agent_id', 'acted_at', 'report_status']) }}
