-- Clean agents: one row per agent_id.
{{ clean_rows_of('base_chat__agents', [
    'agent_id', 'shop_id', 'nickname', 'role', 'max_concurrent_sessions'
]) }}
