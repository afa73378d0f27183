-- Clean holiday-period versions: one row per (period_id, updated_at), ends_at not before starts_at.
{{ clean_rows_of('base_chat__shop_holiday_periods', [
    'period_id', 'shop_id', 'starts_at', 'ends_at', 'updated_at'
]) }}
