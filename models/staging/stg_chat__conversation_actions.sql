-- Clean seller-center action versions: one row per (action_id, updated_at).
{{ clean_rows_of('base_chat__conversation_actions', [
    'action_id', 'conversation_id', 'shop_id', 'action_type', 'agent_id', 'acted_at',
    'report_status', 'updated_at'
]) }}
