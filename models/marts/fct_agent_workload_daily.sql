-- Load against capacity (metrics.md §9.4): per shop, agent and local date, the allocations
-- the agent received and the transfers in and out, the most sessions the agent held at one
-- instant of that date, and that peak against the agent's capacity ("kepadatan kerja").
--
-- An agent holds a session from an allocation to it (inside the session, §5) until the first
-- of: the session's next allocation to another agent, its close, as_of. An allocation to the
-- agent already holding continues the hold. All sessions count, excluded ones too. Holds are
-- half-open [start, end): a hold ending exactly at local midnight does not reach the next date,
-- and two holds meeting at one instant are never held together. The peak is an interval
-- overlap, computed set-based as a sweep: +1 at each hold's start, -1 at its end, a 0 marker at
-- the start of each local date, and a running sum per agent in time order (at one instant the
-- ends first, then the date marker, then the starts).
{% set as_of = as_of_timestamp() %}

with allocations as (
    select * from {{ ref('int_session_allocations') }}
),

sessions as (
    select * from {{ ref('int_sessions_closed') }}
),

shops as (
    select * from {{ ref('stg_chat__shops') }}
),

agents as (
    select * from {{ ref('stg_chat__agents') }}
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

-- an empty hold [t, t) covers no instant: it holds nothing (its allocation still counts)
covering_holds as (
    select
        *,
        {{ local_date('hold_start_at', 'timezone') }} as first_date,
        {{ local_date("hold_end_at - interval '1' microsecond", 'timezone') }} as last_date
    from holds
    where hold_end_at > hold_start_at
),

held_dates as (
    select distinct
        covering_holds.shop_id,
        covering_holds.agent_id,
        covering_holds.timezone,
        date_range.workload_date
    from covering_holds
    {{ date_range_join('covering_holds.first_date', 'covering_holds.last_date', 'workload_date') }}
),

dated_allocations as (
    select
        allocations.shop_id,
        allocations.agent_id,
        allocations.previous_agent_id,
        allocations.is_transfer,
        {{ local_date('allocations.allocated_at', 'shops.timezone') }} as workload_date
    from allocations
    inner join shops
        on allocations.shop_id = shops.shop_id
),

received as (
    select
        shop_id,
        agent_id,
        workload_date,
        cast(count(*) as bigint) as allocations_received,
        cast(sum(case when is_transfer then 1 else 0 end) as bigint) as transfers_in
    from dated_allocations
    group by shop_id, agent_id, workload_date
),

lost as (
    select
        shop_id,
        previous_agent_id as agent_id,
        workload_date,
        cast(count(*) as bigint) as transfers_out
    from dated_allocations
    where is_transfer
    group by shop_id, previous_agent_id, workload_date
),

workload_days as (
    select
        shop_id,
        agent_id,
        workload_date
    from held_dates
    union
    select
        shop_id,
        agent_id,
        workload_date
    from received
    union
    select
        shop_id,
        agent_id,
        workload_date
    from lost
),

-- the sweep: ends (0) before the date marker (1) before starts (2) at one instant
sweep_events as (
    select
        shop_id,
        agent_id,
        hold_start_at as event_at,
        2 as event_order,
        1 as delta,
        first_date as event_date
    from covering_holds
    union all
    select
        shop_id,
        agent_id,
        hold_end_at as event_at,
        0 as event_order,
        -1 as delta,
        {{ local_date('hold_end_at', 'timezone') }} as event_date
    from covering_holds
    union all
    select
        shop_id,
        agent_id,
        {{ local_midnight_utc('workload_date', 'timezone') }} as event_at,
        1 as event_order,
        0 as delta,
        workload_date as event_date
    from held_dates
),

levels as (
    select
        shop_id,
        agent_id,
        event_date,
        sum(delta) over (
            partition by shop_id, agent_id
            order by event_at, event_order
            rows between unbounded preceding and current row
        ) as held_sessions
    from sweep_events
),

peaks as (
    select
        shop_id,
        agent_id,
        event_date as workload_date,
        max(held_sessions) as peak_concurrent_sessions
    from levels
    group by shop_id, agent_id, event_date
),

final as (
    select
        workload_days.shop_id,
        workload_days.agent_id,
        workload_days.workload_date,
        coalesce(received.allocations_received, 0) as allocations_received,
        coalesce(received.transfers_in, 0) as transfers_in,
        coalesce(lost.transfers_out, 0) as transfers_out,
        cast(coalesce(peaks.peak_concurrent_sessions, 0) as bigint) as peak_concurrent_sessions,
        agents.max_concurrent_sessions,
        cast(coalesce(peaks.peak_concurrent_sessions, 0) as double)
        / nullif(agents.max_concurrent_sessions, 0) as peak_saturation
    from workload_days
    left join received
        on workload_days.shop_id = received.shop_id
        and workload_days.agent_id = received.agent_id
        and workload_days.workload_date = received.workload_date
    left join lost
        on workload_days.shop_id = lost.shop_id
        and workload_days.agent_id = lost.agent_id
        and workload_days.workload_date = lost.workload_date
    left join peaks
        on workload_days.shop_id = peaks.shop_id
        and workload_days.agent_id = peaks.agent_id
        and workload_days.workload_date = peaks.workload_date
    left join agents
        on workload_days.shop_id = agents.shop_id
        and workload_days.agent_id = agents.agent_id
)

select * from final
