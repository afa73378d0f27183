-- Each holiday period as it was known at `as_of`: the latest valid version with
-- updated_at <= as_of. A null ends_at means holiday mode is still on.
with period_versions as (
    select * from {{ ref('stg_chat__shop_holiday_periods') }}
    where updated_at <= {{ as_of_timestamp() }}
),

ranked as (
    select
        *,
        row_number() over (partition by period_id order by updated_at desc) as version_rank
    from period_versions
),

final as (
    select
        period_id,
        shop_id,
        starts_at,
        ends_at,
        updated_at
    from ranked
    where version_rank = 1
)

select * from final
