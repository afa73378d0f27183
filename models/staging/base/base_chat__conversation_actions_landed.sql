-- Every row of `conversation_actions` (each a version of an action) as it landed, once: the
-- rows of the files this build loads, typed, with the first row-local contract rule each
-- breaks (or null), and the row as landed (raw_row). Rules that need other rows (its
-- conversation, conflicting versions) are base_chat__conversation_actions'.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
) }}
{% set landing_types = landing_column_types(source('landing', 'conversation_actions')) %}

with source as (
    select * from {{ source('landing', 'conversation_actions') }}
),

shops as (
    select shop_id from {{ ref('stg_chat__shops') }}
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
        {{ landing_row('source', landing_types) }} as _landing_row
    from source
),

checked as (
    select
        typed.*,
        case
            {{ rule_required('action_id') }}
            {{ rule_required('conversation_id') }}
            {{ rule_required('shop_id') }}
            {{ rule_enum('action_type', [
                'CLOSE_SESSION', 'MARK_NO_REPLY_NEEDED', 'REPORT_BUYER']) }}
            {{ rule_timestamp('acted_at') }}
            {{ rule_timestamp('updated_at') }}
            {{ rule_enum('report_status', ['PENDING', 'UPHELD', 'REJECTED'], required=false) }}
            when typed.action_type = 'REPORT_BUYER'
                and typed.report_status is null
                then 'report_status_missing'
            when typed.shop_id not in (select shops.shop_id from shops)
                then 'shop_unknown'
        end as quarantine_rule
    from typed
)

{{ landed_tail('checked', drop_columns=['acted_at_raw', 'updated_at_raw']) }}
