-- Clean chat messages: one row per message_id (the earliest delivery), typed and valid. With
-- the build that last decided each row (base_chat__messages re-decides the conversations a
-- refresh loads rows for), so that a refresh's data tests read those rows only.
{{ clean_rows_of('base_chat__messages', [
    'message_id', 'conversation_id', 'shop_id', 'sender_role', 'sender_id', 'message_type',
    'created_at', 'is_visible', 'allocated_agent_id',
    '_checked_invocation_id as built_invocation_id', 'conversation_key'
]) }}
