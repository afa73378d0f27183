-- Each seller-center action as it was known at `as_of`: the latest version with
-- updated_at <= as_of (metrics.md, intro), kept only when the action itself happened by as_of.
with action_versions as (
    select * from {{ ref('stg_chat__conversation_actions') }}
    where updated_at <= {{ as_of_timestamp() }}
),

ranked as (
    select
        *,
        row_number() over (partition by action_id order by updated_at desc) as version_rank
    from action_versions
),

final as (
    select
        action_id,
        conversation_id,
        shop_id,
        action_type,
        agent_id,
        acted_at,
        report_status,
        updated_at
    from ranked
    where version_rank = 1
        and acted_at <= {{ as_of_timestamp() }}
)

select * from final
