-- What the conversations an incremental refresh recomputes (int_refresh_scope) held in the
-- marts before this build: the (shop, local date, agent, hour) of their sessions and the
-- (shop, agent, local dates) of their agents' holds. The daily, hourly and workload marts
-- recompute these keys as well as the new ones, so a session that moved or vanished leaves no
-- stale figure behind. Read from the relations as they are before this build rewrites them.
-- Empty in a full recompute.
{{ config(materialized='table') }}
-- depends_on: {{ ref('int_refresh_scope') }}

{% set mode = chat_refresh_mode() %}
{% set previous_sessions = adapter.get_relation(
    database=target.database, schema='marts', identifier='fct_chat_sessions') if execute else none %}
{% set previous_holds = adapter.get_relation(
    database=target.database, schema='intermediate', identifier='int_agent_workload_days')
    if execute else none %}

{% if mode == 'full' or previous_sessions is none or previous_holds is none %}

select
    cast(null as {{ dbt.type_string() }}) as key_kind,
    cast(null as {{ dbt.type_string() }}) as shop_id,
    cast(null as {{ dbt.type_string() }}) as agent_id,
    cast(null as date) as key_date,
    cast(null as integer) as key_hour
where false

{% else %}

with scope as (
    select conversation_id from {{ ref('int_refresh_scope') }}
),

sessions as (
    select
        'session' as key_kind,
        previous.shop_id,
        previous.responsible_agent_id as agent_id,
        previous.session_date as key_date,
        previous.session_hour as key_hour
    from {{ previous_sessions }} as previous
    inner join scope
        on previous.conversation_id = scope.conversation_id
),

holds as (
    select
        'hold' as key_kind,
        previous.shop_id,
        previous.agent_id,
        previous.workload_date as key_date,
        cast(null as integer) as key_hour
    from {{ previous_holds }} as previous
    inner join scope
        on previous.conversation_id = scope.conversation_id
),

final as (
    select * from sessions
    union
    select * from holds
)

select * from final

{% endif %}
