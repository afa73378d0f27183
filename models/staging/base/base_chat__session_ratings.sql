-- Every landing row of `session_ratings`, typed, with the first contract rule it breaks (or
-- null). Rows sharing a rating_id collapse to the earliest rated_at.
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
        try_cast({{ clean_text('score') }} as integer) as score,
        _source_file,
        {{ landing_row('source') }} as _landing_row
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
            when score_raw is null then 'score_missing'
            when score is null then 'score_invalid'
            when score not between 1 and 5 then 'score_out_of_range'
            when typed.shop_id not in (select shop_id from shops) then 'shop_unknown'
        end as quarantine_rule
    from typed
)

{{ finish_base_model('checked', ['rating_id'], 'rated_at, score, conversation_id, shop_id', drop_columns=['rated_at_raw', 'score_raw']) }}
