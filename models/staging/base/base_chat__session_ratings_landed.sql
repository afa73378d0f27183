-- Every row of `session_ratings` as it landed, once: the rows of the files this build loads,
-- typed, with the first row-local contract rule each breaks (or null), and the row as landed
-- (raw_row). Rules that need other rows (its conversation, conflicting copies) are
-- base_chat__session_ratings'.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
) }}
{% set landing_types = landing_column_types(source('landing', 'session_ratings')) %}

with source as (
    select * from {{ source('landing', 'session_ratings') }}
),

shops as (
    select shop_id from {{ ref('stg_chat__shops') }}
),

typed as (
    select
        {{ clean_text('rating_id') }} as rating_id,
        {{ clean_text('conversation_id') }} as conversation_id,
        {{ clean_text('shop_id') }} as shop_id,
        {{ landing_timestamp('rated_at', landing_types) }},
        {{ clean_text('score') }} as score_raw,
        {{ integer_value('score') }} as score,
        _source_file,
        {{ landing_row('source', landing_types) }} as _landing_row
    from source
),

checked as (
    select
        typed.*,
        case
            {{ rule_required('rating_id') }}
            {{ rule_required('conversation_id') }}
            {{ rule_required('shop_id') }}
            {{ rule_timestamp('rated_at') }}
            when typed.score_raw is null then 'score_missing'
            when typed.score is null then 'score_invalid'
            when typed.score not between 1 and 5 then 'score_out_of_range'
            when typed.shop_id not in (select shops.shop_id from shops)
                then 'shop_unknown'
        end as quarantine_rule
    from typed
)

{{ landed_tail('checked', drop_columns=['rated_at_raw', 'score_raw']) }}
