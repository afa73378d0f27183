-- In both daily marts: counted = auto-resolved + in time + late + unresponded, and
-- sessions = excluded + pending + counted; excluded = the sum of the per-reason columns.
{% for model in ['fct_agent_daily', 'fct_shop_daily'] %}
select
    '{{ model }}' as mart,
    shop_id,
    session_date
from {{ ref(model) }}
where counted_sessions <> (
        auto_resolved_sessions + responded_in_time_sessions
        + responded_late_sessions + unresponded_sessions
    )
    or sessions <> excluded_sessions + pending_sessions + counted_sessions
    or excluded_sessions <> holiday_mode_sessions + reported_sessions + no_reply_needed_sessions
{% if not loop.last %}union all{% endif %}
{% endfor %}
