-- Each holiday period as it was known at `as_of`: the latest valid version with
-- updated_at <= as_of. A null ends_at means holiday mode is still on.
{{ latest_versions_as_of(
    'stg_chat__shop_holiday_periods', 'period_id',
    ['period_id', 'shop_id', 'starts_at', 'ends_at', 'updated_at']) }}
