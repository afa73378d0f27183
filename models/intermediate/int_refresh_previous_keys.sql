-- What the conversations an incremental refresh recomputes (int_refresh_scope) held in the
-- marts before this build: each of their sessions (fct_chat_sessions) with its (shop, local
-- date, agent, hour), and each of their rows of int_agent_workload_days with its (shop, agent,
-- local date), with a digest of the whole row. int_refresh_keys compares these with the rows
-- the build writes: the keys of a row that changed, appeared or vanished are rewritten (so a
-- session that moved or vanished leaves no stale figure behind); a recomputed row equal to
-- its previous version changes no mart row. Read from the relations as they are before this
-- build rewrites them. Empty in a full recompute.
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
    cast(null as integer) as key_hour,
    cast(null as {{ row_digest_type() }}) as row_digest
where false

{% else %}

with sessions as (
    {{ refresh_key_rows('session', previous_sessions) }}
),

holds as (
    {{ refresh_key_rows('hold', previous_holds) }}
),

final as (
    select * from sessions
    union all
    select * from holds
)

select * from final

{% endif %}
