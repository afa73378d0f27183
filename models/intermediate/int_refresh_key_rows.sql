-- The keys and digest of every row the daily marts are computed from: each session of
-- fct_chat_sessions with its (shop, responsible agent, local date, hour) and each row of
-- int_agent_workload_days with its (shop, agent, local date), with a digest of the whole row.
-- Kept so that the next refresh reads what its conversations held before from this narrow
-- table (int_refresh_previous_keys) instead of every column of the two wide relations (at
-- 100M messages that read took 31 s of a refresh); int_refresh_keys compares them with the
-- rows this build wrote here (stamped). Incremental by conversation (int_refresh_scope): a
-- refresh deletes its conversations' rows and writes those of the rows the two relations got
-- from this build.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_refresh_scope() }}
-- depends_on: {{ ref('int_refresh_scope') }}",
) }}
-- int_refresh_previous_keys reads this relation as it was before the build rewrites it:
-- depends_on: {{ ref('int_refresh_previous_keys') }}

with sessions as (
    {{ refresh_key_rows('session', ref('fct_chat_sessions')) }}
),

holds as (
    {{ refresh_key_rows('hold', ref('int_agent_workload_days')) }}
),

final as (
    select * from sessions
    union all
    select * from holds
)

select
    *,
    {{ this_invocation() }} as built_invocation_id
from final
