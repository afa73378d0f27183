-- Clean chat messages: one row per message_id (the earliest delivery), typed and valid.
{{ clean_rows_of('base_chat__messages', [
    'message_id', 'conversation_id', 'shop_id', 'sender_role', 'sender_id', 'message_type',
    'created_at', 'is_visible', 'allocated_agent_id'
]) }}
