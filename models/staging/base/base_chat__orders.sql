-- Every landed row of `orders` with the decisions that need other rows: identical copies of
-- an order_id collapse to one; copies that disagree are all quarantined (duplicate_conflict):
-- no rule says which amount or time is right. Rebuilt from the landed rows on every build
-- (no landing file is read again).
with landed as (
    select * from {{ ref('base_chat__orders_landed') }}
)

{{ finish_base_model('landed', ['order_id'], 'created_at, amount, buyer_id, shop_id, currency',
    conflict_columns=['shop_id', 'buyer_id', 'created_at', 'amount', 'currency']) }}
