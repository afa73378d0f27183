-- Every landing row of `shops`, typed, with the first contract rule it breaks (or null).
-- Copies of a shop_id collapse to one when they agree on platform and time zone (of differing
-- shop_names the alphabetically first is kept); when they disagree, every copy is quarantined
-- (duplicate_conflict): the daily grain cannot be placed in either zone, so the shop's rows
-- become shop_unknown.
-- Loaded only in a full recompute: a new shops file makes the build one (macros/refresh.sql).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
) }}
with source as (
    select * from {{ source('landing', 'shops') }}
),

typed as (
    select
        {{ clean_text('shop_id') }} as shop_id,
        {{ clean_enum('platform') }} as platform,
        {{ clean_text('shop_name') }} as shop_name,
        {{ clean_text('timezone') }} as timezone,
        _source_file,
        {{ landing_row('source') }} as _landing_row
    from source
),

known_time_zones as (
    select * from {{ known_time_zones_relation() }}
),

checked as (
    select
        typed.*,
        case
            {{ rule_required('shop_id') }}
            {{ rule_enum('platform', ['TIKTOK_SHOP', 'TOKOPEDIA'], required=false) }}
            {{ rule_required('timezone') }}
            when known_time_zones.time_zone_name is null then 'timezone_unknown'
        end as quarantine_rule
    from typed
    left join known_time_zones
        on typed.timezone = known_time_zones.time_zone_name
),

landed as (
    {{ landed_columns('checked', drop_columns=[]) }}
)

{{ finish_base_model('landed', ['shop_id'], 'shop_name, platform, timezone',
    conflict_columns=['platform', 'timezone']) }}
