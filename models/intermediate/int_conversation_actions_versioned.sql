-- Each seller-center action as it was known at `as_of`: the latest version with
-- updated_at <= as_of (metrics.md, intro), kept only when the action itself happened by as_of.
{{ latest_versions_as_of(
    'stg_chat__conversation_actions', 'action_id',
    ['action_id', 'conversation_id', 'shop_id', 'action_type', 'agent_id', 'acted_at',
     'report_status', 'updated_at'],
    keep_when='acted_at <= ' ~ as_of_timestamp()) }}
