-- The rating of each session (metrics.md §6): a rating belongs to its conversation's latest
-- session that started at or before rated_at; of several on one session the latest counts.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_refresh_scope() }}
-- depends_on: {{ ref('int_refresh_scope') }}",
) }}

with sessions as (
    select
        conversation_id,
        session_opener_seq,
        started_at
    from {{ ref('int_sessions_closed') }}
    where true {{ in_refresh_scope() }}
),

ratings as (
    select * from {{ ref('stg_chat__session_ratings') }}
    where
        rated_at <= {{ as_of_timestamp() }}
        {{ in_refresh_scope() }}  -- noqa: LT02
),

rating_sessions as (
    select
        ratings.rating_id,
        ratings.rated_at,
        ratings.score,
        sessions.conversation_id,
        sessions.session_opener_seq,
        row_number() over (
            partition by ratings.rating_id
            order by sessions.started_at desc, sessions.session_opener_seq desc
        ) as session_rank
    from ratings
    inner join sessions
        on ratings.conversation_id = sessions.conversation_id
        and ratings.rated_at >= sessions.started_at
),

ranked as (
    select
        *,
        row_number() over (
            partition by conversation_id, session_opener_seq
            order by rated_at desc, rating_id desc
        ) as rating_rank
    from rating_sessions
    where session_rank = 1
),

final as (
    select
        conversation_id,
        session_opener_seq,
        rating_id,
        rated_at,
        score as rating_score,
        score >= 4 as is_satisfied
    from ranked
    where rating_rank = 1
)

select * from final
