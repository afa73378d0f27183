-- Clean shops: one row per shop_id with a known IANA time zone.
{{ clean_rows_of('base_chat__shops', ['shop_id', 'platform', 'shop_name', 'timezone']) }}
