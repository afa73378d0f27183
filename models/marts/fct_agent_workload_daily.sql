-- Load against capacity (metrics.md §9.4): per shop, agent and local date, the allocations
-- the agent received and the transfers in and out, the most sessions the agent held at one
-- instant of that date, and that peak against the agent's capacity ("kepadatan kerja").
--
-- Holds and their local dates come from int_agent_workload_days (all sessions, excluded ones
-- too). The peak is an interval overlap, computed set-based as a sweep per agent and date:
-- each hold covering the date, clipped to it, adds +1 at its start and -1 at its end; a running
-- sum in time order (at one instant the ends first) gives the sessions held, and its maximum is
-- the peak. Holds are half-open, so two holds meeting at one instant are never held together.
-- Incremental by (shop, agent, date): a refresh recomputes the dates its conversations touch,
-- now or before this build (int_refresh_previous_keys), and removes the others' stale rows.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_refresh_keys('workload') }}",
) }}

with workload_days as (
    select * from {{ ref('int_agent_workload_days') }}
),

agents as (
    select * from {{ ref('stg_chat__agents') }}
),

-- the (shop, agent, date) rows this build writes: all, or in a refresh those its
-- conversations touch now or touched before
keys as (  -- noqa: ST03
    {{ refresh_keys_of('workload') }}
),

days as (
    select workload_days.*
    from workload_days
    {% if is_incremental() %}
        inner join keys
            on workload_days.shop_id = keys.shop_id
            and workload_days.agent_id = keys.agent_id
            and workload_days.workload_date = keys.workload_date
    {% endif %}
),

counts as (
    select
        shop_id,
        agent_id,
        workload_date,
        cast(sum(allocations_received) as bigint) as allocations_received,
        cast(sum(transfers_in) as bigint) as transfers_in,
        cast(sum(transfers_out) as bigint) as transfers_out
    from days
    group by shop_id, agent_id, workload_date
),

-- each hold covering a date, clipped to that local date
clipped_holds as (
    select
        shop_id,
        agent_id,
        workload_date,
        greatest(hold_start_at, {{ local_midnight_utc('workload_date', 'timezone') }})
            as clipped_start_at,
        least(hold_end_at, {{ local_midnight_utc(add_days('workload_date', 1), 'timezone') }})
            as clipped_end_at
    from days
    where hold_start_at is not null
),

sweep_events as (
    select
        shop_id,
        agent_id,
        workload_date,
        clipped_start_at as event_at,
        1 as event_order,
        1 as delta
    from clipped_holds
    union all
    select
        shop_id,
        agent_id,
        workload_date,
        clipped_end_at as event_at,
        0 as event_order,
        -1 as delta
    from clipped_holds
),

levels as (
    select
        shop_id,
        agent_id,
        workload_date,
        sum(delta) over (
            partition by shop_id, agent_id, workload_date
            order by event_at, event_order
            rows between unbounded preceding and current row
        ) as held_sessions
    from sweep_events
),

peaks as (
    select
        shop_id,
        agent_id,
        workload_date,
        max(held_sessions) as peak_concurrent_sessions
    from levels
    group by shop_id, agent_id, workload_date
),

final as (
    select
        counts.shop_id,
        counts.agent_id,
        counts.workload_date,
        counts.allocations_received,
        counts.transfers_in,
        counts.transfers_out,
        cast(coalesce(peaks.peak_concurrent_sessions, 0) as bigint) as peak_concurrent_sessions,
        agents.max_concurrent_sessions,
        cast(coalesce(peaks.peak_concurrent_sessions, 0) as double)
        / nullif(agents.max_concurrent_sessions, 0) as peak_saturation,
        {{ this_invocation() }} as built_invocation_id
    from counts
    left join peaks
        on counts.shop_id = peaks.shop_id
        and counts.agent_id = peaks.agent_id
        and counts.workload_date = peaks.workload_date
    left join agents
        on counts.shop_id = agents.shop_id
        and counts.agent_id = agents.agent_id
)

select * from final
