{#- Incremental refresh of the walk (see DECISIONS.md, "Incremental refresh").

    A refresh at as_of T recomputes the conversations that have a message or an action stamped
    after W = (the previous build's as_of) - (session_expiry_hours + late_arrival_hours).
    Every other conversation's rows are at or before W: its last session closed (idle or
    expiry, at most session_expiry_hours after its last row) and every deadline passed before
    the previous build, so nothing of it can change. Rows landing more than late_arrival_hours
    after the previous build's as_of are missed: run the full-refresh job for those. A build
    for an as_of earlier than the previous one recomputes everything. -#}
{% macro refresh_lookback_start(relation) -%}
  (
    select
        case
            when max(built_as_of) is null or {{ as_of_timestamp() }} < max(built_as_of)
                then cast('1900-01-01' as timestamp)
            else {{ add_hours('max(built_as_of)',
                    -(var('session_expiry_hours') + var('late_arrival_hours'))) }}
        end
    from {{ relation }}
  )
{%- endmacro %}


{#- Conversations an incremental refresh recomputes (a subquery of conversation_id). -#}
{% macro refresh_scope_conversations(relation) -%}
  (
    select conversation_id
    from {{ ref('stg_chat__messages') }}
    where created_at > {{ refresh_lookback_start(relation) }}
    union
    select conversation_id
    from {{ ref('stg_chat__conversation_actions') }}
    where updated_at > {{ refresh_lookback_start(relation) }}
        or acted_at > {{ refresh_lookback_start(relation) }}
  )
{%- endmacro %}


{#- Conversations the walk rewrote in this dbt invocation (for the per-session models). -#}
{% macro conversations_rewalked_now() -%}
  (
    select distinct conversation_id
    from {{ ref('int_conversation_events_sessionized') }}
    where built_invocation_id = '{{ invocation_id }}'
  )
{%- endmacro %}
