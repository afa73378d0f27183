-- Every landing row of `orders`, typed, with the first contract rule it breaks (or null).
-- Identical copies of an order_id collapse to one; copies that disagree are all quarantined
-- (duplicate_conflict): no rule says which amount or time is right.
{% set landing_types = landing_column_types(source('landing', 'orders')) %}

with source as (
    select * from {{ source('landing', 'orders') }}
),

shops as (
    select shop_id from {{ ref('stg_chat__shops') }}
),

typed as (
    select
        {{ clean_text('order_id') }} as order_id,
        {{ clean_text('shop_id') }} as shop_id,
        {{ clean_text('buyer_id') }} as buyer_id,
        {{ landing_timestamp('created_at', landing_types) }},
        {{ clean_text('amount') }} as amount_raw,
        try_cast({{ clean_text('amount') }} as decimal(18, 2)) as amount,
        {{ clean_enum('currency') }} as currency,
        _source_file,
        {{ landing_row('source') }} as _landing_row
    from source
),

checked as (
    select
        typed.*,
        case
            {{ rule_required('order_id') }}
            {{ rule_required('shop_id') }}
            {{ rule_required('buyer_id') }}
            {{ rule_timestamp('created_at') }}
            when typed.amount_raw is null then 'amount_missing'
            when typed.amount is null then 'amount_invalid'
            when typed.amount < 0 then 'amount_negative'
            when typed.currency is not null and not regexp_full_match(typed.currency, '[A-Z]{3}')
                then 'currency_invalid'
            when typed.shop_id not in (select shops.shop_id from shops) then 'shop_unknown'
        end as quarantine_rule
    from typed
)

{{ finish_base_model('checked', ['order_id'], 'created_at, amount, buyer_id, shop_id, currency',
    drop_columns=['amount_raw', 'created_at_raw'],
    conflict_columns=['shop_id', 'buyer_id', 'created_at', 'amount', 'currency']) }}
