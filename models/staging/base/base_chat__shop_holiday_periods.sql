-- Every landed row of `shop_holiday_periods` (each a version of a period), with the
-- decisions that need other rows: identical versions collapse to one; versions stamped at
-- the same instant that disagree are all quarantined (duplicate_conflict), so the previous
-- clean version counts. Overlapping periods are valid: each applies. Rebuilt from the landed
-- rows on every build (no landing file is read again).
with landed as (
    select * from {{ ref('base_chat__shop_holiday_periods_landed') }}
)

{{ finish_base_model('landed', ['period_id', 'updated_at'], 'starts_at, ends_at, shop_id',
    conflict_columns=['shop_id', 'starts_at', 'ends_at']) }}
