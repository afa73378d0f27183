-- Clean ratings: one row per rating_id, score 1 to 5.
{{ clean_rows_of('base_chat__session_ratings', [
    'rating_id', 'conversation_id', 'shop_id', 'rated_at', 'score'
]) }}
