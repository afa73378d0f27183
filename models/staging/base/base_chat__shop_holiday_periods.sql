-- Every landing row of `shop_holiday_periods` (each a version of a period), typed, with the
-- first contract rule it breaks (or null). Identical versions collapse to one.
with source as (
    select * from {{ source('landing', 'shop_holiday_periods') }}
),

shops as (
    select shop_id from {{ ref('stg_chat__shops') }}
),

typed as (
    select
        {{ clean_text('period_id') }} as period_id,
        {{ clean_text('shop_id') }} as shop_id,
        {{ clean_text('starts_at') }} as starts_at_raw,
        {{ parse_timestamp_utc(clean_text('starts_at')) }} as starts_at,
        {{ clean_text('ends_at') }} as ends_at_raw,
        {{ parse_timestamp_utc(clean_text('ends_at')) }} as ends_at,
        {{ clean_text('updated_at') }} as updated_at_raw,
        {{ parse_timestamp_utc(clean_text('updated_at')) }} as updated_at,
        _source_file,
        {{ landing_row('source') }} as _landing_row
    from source
),

checked as (
    select
        typed.*,
        case
            {{ rule_required('period_id') }}
            {{ rule_required('shop_id') }}
            {{ rule_timestamp('starts_at') }}
            {{ rule_timestamp('ends_at', required=false) }}
            {{ rule_timestamp('updated_at') }}
            when ends_at < starts_at then 'holiday_ends_before_start'
            when typed.shop_id not in (select shop_id from shops) then 'shop_unknown'
        end as quarantine_rule
    from typed
)

{{ finish_base_model('checked', ['period_id', 'updated_at'], 'starts_at, ends_at, shop_id') }}
