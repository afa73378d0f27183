-- metrics.md §9.1 and §9.4 count the same transfers: per shop, the transfers in and out of
-- fct_agent_workload_daily both equal the transfer_count of fct_chat_sessions, and the
-- allocations received equal the allocations inside sessions. Returns the shops where not.
with sessions as (
    select
        shop_id,
        sum(transfer_count) as transfers
    from {{ ref('fct_chat_sessions') }}
    group by shop_id
),

workload as (
    select
        shop_id,
        sum(transfers_in) as transfers_in,
        sum(transfers_out) as transfers_out,
        sum(allocations_received) as allocations_received
    from {{ ref('fct_agent_workload_daily') }}
    group by shop_id
),

allocations as (
    select
        shop_id,
        count(*) as allocations
    from {{ ref('int_session_allocations') }}
    group by shop_id
),

final as (
    select
        coalesce(sessions.shop_id, workload.shop_id, allocations.shop_id) as shop_id,
        sessions.transfers,
        workload.transfers_in,
        workload.transfers_out,
        workload.allocations_received,
        allocations.allocations
    from sessions
    full outer join workload
        on sessions.shop_id = workload.shop_id
    full outer join allocations
        on coalesce(sessions.shop_id, workload.shop_id) = allocations.shop_id
    where
        coalesce(sessions.transfers, 0) <> coalesce(workload.transfers_in, 0)
        or coalesce(workload.transfers_in, 0) <> coalesce(workload.transfers_out, 0)
        or coalesce(workload.allocations_received, 0) <> coalesce(allocations.allocations, 0)
)

select * from final
