-- What each conversation puts on an agent's day (metrics.md §9.4), the input of
-- fct_agent_workload_daily: one row per (hold, local date it covers) with the hold's bounds,
-- one per allocation received (on its local date) and one per transfer out (for the agent the
-- session was taken from). An agent holds a session from an allocation to it (inside the
-- session, §5) until the first of: the session's next allocation to another agent, its close,
-- as_of; an allocation to the agent already holding continues the hold. Holds are half-open
-- [start, end) and split at the shop's local midnight, daylight saving included: a hold
-- ending exactly at local midnight does not reach the next date, and an empty hold [t, t)
-- covers no date. Incremental by conversation (int_refresh_scope).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_refresh_scope() }}
-- depends_on: {{ ref('int_refresh_scope') }}",
) }}
{% set as_of = as_of_timestamp() %}

with allocations as (
    select * from {{ ref('int_session_allocations') }}
    where true {{ in_refresh_scope() }}
),

sessions as (
    select * from {{ ref('int_sessions_closed') }}
    where true {{ in_refresh_scope() }}
),

shops as (
    select * from {{ ref('stg_chat__shops') }}
),

hold_starts as (
    select
        conversation_id,
        session_opener_seq,
        shop_id,
        agent_id,
        allocated_at as hold_start_at,
        lead(allocated_at) over (
            partition by conversation_id, session_opener_seq order by walk_seq
        ) as next_hold_start_at
    from allocations
    where is_hold_start
),

holds as (
    select
        hold_starts.conversation_id,
        hold_starts.session_opener_seq,
        hold_starts.shop_id,
        hold_starts.agent_id,
        shops.timezone,
        hold_starts.hold_start_at,
        least(
            coalesce(hold_starts.next_hold_start_at, {{ as_of }}),
            coalesce(sessions.closed_at, {{ as_of }}),
            {{ as_of }}
        ) as hold_end_at
    from hold_starts
    inner join sessions
        on hold_starts.conversation_id = sessions.conversation_id
        and hold_starts.session_opener_seq = sessions.session_opener_seq
    inner join shops
        on hold_starts.shop_id = shops.shop_id
),

covering_holds as (
    select
        *,
        {{ local_date('hold_start_at', 'timezone') }} as first_date,
        {{ local_date("hold_end_at - interval '1' microsecond", 'timezone') }} as last_date
    from holds
    where hold_end_at > hold_start_at
),

hold_days as (
    select
        covering_holds.conversation_id,
        covering_holds.session_opener_seq,
        covering_holds.shop_id,
        covering_holds.agent_id,
        covering_holds.timezone,
        date_range.workload_date,
        covering_holds.hold_start_at,
        covering_holds.hold_end_at,
        0 as allocations_received,
        0 as transfers_in,
        0 as transfers_out
    from covering_holds
    {{ date_range_join('covering_holds.first_date', 'covering_holds.last_date', 'workload_date') }}
),

dated_allocations as (
    select
        allocations.conversation_id,
        allocations.session_opener_seq,
        allocations.shop_id,
        allocations.agent_id,
        allocations.previous_agent_id,
        allocations.is_transfer,
        shops.timezone,
        {{ local_date('allocations.allocated_at', 'shops.timezone') }} as workload_date
    from allocations
    inner join shops
        on allocations.shop_id = shops.shop_id
),

received as (
    select
        conversation_id,
        session_opener_seq,
        shop_id,
        agent_id,
        timezone,
        workload_date,
        cast(null as timestamp) as hold_start_at,
        cast(null as timestamp) as hold_end_at,
        1 as allocations_received,
        case when is_transfer then 1 else 0 end as transfers_in,
        0 as transfers_out
    from dated_allocations
),

lost as (
    select
        conversation_id,
        session_opener_seq,
        shop_id,
        previous_agent_id as agent_id,
        timezone,
        workload_date,
        cast(null as timestamp) as hold_start_at,
        cast(null as timestamp) as hold_end_at,
        0 as allocations_received,
        0 as transfers_in,
        1 as transfers_out
    from dated_allocations
    where is_transfer
),

final as (
    select * from hold_days
    union all
    select * from received
    union all
    select * from lost
)

select
    *,
    {{ this_invocation() }} as built_invocation_id
from final
