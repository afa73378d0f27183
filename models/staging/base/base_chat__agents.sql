-- Every landing row of `agents`, typed, with the first contract rule it breaks (or null).
-- Copies of an agent_id collapse to one when they agree on shop, role and capacity (of
-- differing nicknames the alphabetically first is kept); when they disagree, every copy is
-- quarantined (duplicate_conflict).
-- Loaded only in a full recompute: a new agents file makes the build one (macros/refresh.sql).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
) }}
with source as (
    select * from {{ source('landing', 'agents') }}
),

shops as (
    select shop_id from {{ ref('stg_chat__shops') }}
),

typed as (
    select
        {{ clean_text('agent_id') }} as agent_id,
        {{ clean_text('shop_id') }} as shop_id,
        {{ clean_text('nickname') }} as nickname,
        {{ clean_enum('role') }} as role,
        {{ clean_text('max_concurrent_sessions') }} as max_concurrent_sessions_raw,
        {{ integer_value('max_concurrent_sessions') }} as max_concurrent_sessions,
        _source_file,
        {{ landing_row('source') }} as _landing_row
    from source
),

checked as (
    select
        typed.*,
        case
            {{ rule_required('agent_id') }}
            {{ rule_required('shop_id') }}
            {{ rule_enum('role', ['OWNER', 'ADMIN', 'AGENT'], required=false) }}
            when typed.max_concurrent_sessions_raw is not null
                and (typed.max_concurrent_sessions is null or typed.max_concurrent_sessions < 0)
                then 'max_concurrent_sessions_invalid'
            when typed.shop_id not in (select shops.shop_id from shops) then 'shop_unknown'
        end as quarantine_rule
    from typed
),

landed as (
    {{ landed_columns('checked', drop_columns=['max_concurrent_sessions_raw']) }}
)

{{ finish_base_model('landed', ['agent_id'], 'shop_id, nickname, role, max_concurrent_sessions',
    conflict_columns=['shop_id', 'role', 'max_concurrent_sessions']) }}
