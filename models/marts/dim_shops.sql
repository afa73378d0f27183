-- One row per (clean) shop: its platform, name and IANA time zone, for dashboards' filters and
-- legends (readers of the published warehouse have no staging layer).
with shops as (
    select * from {{ ref('stg_chat__shops') }}
),

final as (
    select
        shop_id,
        platform,
        shop_name,
        timezone
    from shops
)

select * from final
