{#- One plain sentence per session saying why it has its status and exclusion, naming the rows
    and instants that decided it (metrics.md §2–§5): the clock-start message and deadline, the
    first human reply and its agent (or its absence), the close and its reason, the holiday
    period or action that excluded it, and why the responsible agent is that agent. An
    expression over the columns of fct_chat_sessions' `final` CTE; four clauses joined by `; `.
    What a manager disputing a number needs: every id in it can be looked up in the landing
    files and in marts.fct_conversation_events. -#}
{% macro verdict_explanation() -%}
  {%- set ts = format_utc_timestamp -%}
  {%- set text = dbt.type_string() -%}
  (
    {#- 1. the status -#}
    case response_status
        when 'AUTO_RESOLVED' then
            'AUTO_RESOLVED because the buyer only tapped FAQ questions ('
            || cast(buyer_message_count as {{ text }})
            || ' FAQ click(s), answered by the platform), so the 24-hour clock never started'
        when 'RESPONDED_IN_TIME' then
            'RESPONDED_IN_TIME because the first human reply, message '
            || first_human_reply_message_id
            || coalesce(' by ' || responsible_agent_id, '') || ' at ' || {{ ts('first_human_reply_at') }}
            || ', came ' || {{ format_duration('first_response_seconds') }}
            || ' after the clock started with buyer message ' || clock_start_message_id
            || ' at ' || {{ ts('clock_started_at') }} || ', within the deadline '
            || {{ ts('response_deadline_at') }}
        when 'RESPONDED_LATE' then
            'RESPONDED_LATE because the first human reply, message '
            || first_human_reply_message_id
            || coalesce(' by ' || responsible_agent_id, '') || ' at ' || {{ ts('first_human_reply_at') }}
            || ', came ' || {{ format_duration('first_response_seconds') }}
            || ' after the clock started with buyer message ' || clock_start_message_id
            || ' at ' || {{ ts('clock_started_at') }} || ', after the deadline '
            || {{ ts('response_deadline_at') }}
        when 'UNRESPONDED' then
            'UNRESPONDED because no human reply followed buyer message ' || clock_start_message_id
            || ' (clock start ' || {{ ts('clock_started_at') }} || ') '
            || case
                when closed_at < response_deadline_at
                    then 'before the session closed at ' || {{ ts('closed_at') }}
                        || ', ahead of its deadline ' || {{ ts('response_deadline_at') }}
                else 'by its deadline ' || {{ ts('response_deadline_at') }}
            end
        when 'PENDING' then
            'PENDING because no human reply has followed buyer message ' || clock_start_message_id
            || ' (clock start ' || {{ ts('clock_started_at') }} || ') yet and its deadline '
            || {{ ts('response_deadline_at') }} || ' is after as_of ' || {{ ts(as_of_timestamp()) }}
            || ', so it is not final'
    end
    {#- 2. the close -#}
    || '; ' || case close_reason
        when 'AGENT' then
            'it was closed at ' || {{ ts('closed_at') }} || ' by close action ' || close_action_id
            || ' of agent ' || close_agent_id
        when 'SYSTEM' then
            'it was closed at ' || {{ ts('closed_at') }} || ' by system close action '
            || close_action_id
        when 'EXPIRED' then
            'it expired unanswered at ' || {{ ts('closed_at') }} || ', '
            || cast({{ var('session_expiry_hours') }} as {{ text }})
            || ' h after the buyer started waiting'
        when 'IDLE' then
            'it closed as idle at ' || {{ ts('closed_at') }} || ', '
            || cast({{ var('session_idle_close_hours') }} as {{ text }})
            || ' h after its last activity at ' || {{ ts('resolved_at') }}
        else 'it is still open at as_of ' || {{ ts(as_of_timestamp()) }}
    end
    {#- 3. the exclusion -#}
    || '; ' || case exclusion_reason
        when 'HOLIDAY_MODE' then
            'excluded from the rates (HOLIDAY_MODE): it started at ' || {{ ts('started_at') }}
            || ' inside holiday period ' || excluding_holiday_period_id
        when 'REPORTED' then
            'excluded from the rates (REPORTED): report action ' || excluding_action_id
            || ' was upheld'
        when 'NO_REPLY_NEEDED' then
            'excluded from the rates (NO_REPLY_NEEDED): action ' || excluding_action_id
            || ' marked it as needing no reply'
        else
            case
                when response_status = 'PENDING'
                    then 'not excluded, but not counted in the rate until it is final'
                else 'not excluded, so it counts in the 24-hour rate'
            end
    end
    {#- 4. the responsible agent (metrics.md §5) -#}
    || '; ' || case
        when first_human_reply_at is not null and responsible_agent_id is not null then
            'responsible agent ' || responsible_agent_id || ', who sent the first human reply'
        when first_human_reply_at is not null then
            'unassigned: the first human reply carries no sender_id'
        when responsible_agent_id is not null then
            'responsible agent ' || responsible_agent_id || ', allocated by message '
            || responsible_allocation_message_id || ' at ' || {{ ts('responsible_allocated_at') }}
            || ', the latest allocation in the session at or before '
            || {{ ts('allocation_cutoff_at') }}
        else
            'unassigned: no human reply and no allocation in the session at or before '
            || {{ ts('allocation_cutoff_at') }}
    end
    || '.'
  )
{%- endmacro %}
