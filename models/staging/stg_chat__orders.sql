-- Clean orders: one row per order_id, amount not negative.
{{ clean_rows_of('base_chat__orders', [
    'order_id', 'shop_id', 'buyer_id', 'created_at', 'amount', 'currency'
]) }}
