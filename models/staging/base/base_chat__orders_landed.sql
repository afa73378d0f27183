-- Every row of `orders` as it landed, once: the rows of the files this build loads, typed,
-- with the first row-local contract rule each breaks (or null), and the row as landed
-- (raw_row). Copies that conflict are base_chat__orders' decision.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
) }}
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
        {{ safe_cast(clean_text('amount'), 'decimal(18, 2)') }} as amount,
        {{ clean_enum('currency') }} as currency,
        _source_file,
        {{ landing_row('source', landing_types) }} as _landing_row
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
            when
                typed.currency is not null
                and not {{ regexp_full_match('typed.currency', '[A-Z]{3}') }}
                then 'currency_invalid'
            when typed.shop_id not in (select shops.shop_id from shops) then 'shop_unknown'
        end as quarantine_rule
    from typed
)

{{ landed_tail('checked', drop_columns=['amount_raw', 'created_at_raw']) }}
