-- Every row of `shop_holiday_periods` (each a version of a period) as it landed, once: the
-- rows of the files this build loads, typed, with the first row-local contract rule each
-- breaks (or null), and the row as landed (raw_row). Versions that conflict are
-- base_chat__shop_holiday_periods' decision.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
) }}
{% set landing_types = landing_column_types(source('landing', 'shop_holiday_periods')) %}

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
        {{ landing_timestamp('starts_at', landing_types) }},
        {{ landing_timestamp('ends_at', landing_types) }},
        {{ landing_timestamp('updated_at', landing_types) }},
        _source_file,
        {{ landing_row('source', landing_types) }} as _landing_row
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
            when typed.ends_at < typed.starts_at then 'holiday_ends_before_start'
            when typed.shop_id not in (select shops.shop_id from shops) then 'shop_unknown'
        end as quarantine_rule
    from typed
)

{{ landed_tail('checked', drop_columns=['ends_at_raw', 'starts_at_raw', 'updated_at_raw']) }}
