-- What the conversations an incremental refresh recomputes (int_refresh_scope) held in the
-- marts before this build: each of their sessions (fct_chat_sessions) with its (shop, local
-- date, agent, hour), and each of their rows of int_agent_workload_days with its (shop, agent,
-- local date), with a digest of the whole row. int_refresh_keys compares these with the rows
-- the build writes: the keys of a row that changed, appeared or vanished are rewritten (so a
-- session that moved or vanished leaves no stale figure behind); a recomputed row equal to
-- its previous version changes no mart row. Read from int_refresh_key_rows, the narrow table
-- of those keys and digests that the previous build left, before this build rewrites it (it
-- runs after this model). Empty in a full recompute.
{{ config(materialized='table') }}
-- depends_on: {{ ref('int_refresh_scope') }}

{% set mode = chat_refresh_mode() %}
{% set previous_keys = adapter.get_relation(
    database=target.database, schema='intermediate', identifier='int_refresh_key_rows')
    if execute else none %}

{% if mode == 'full' or previous_keys is none %}

select
    cast(null as {{ dbt.type_string() }}) as key_kind,
    cast(null as {{ dbt.type_string() }}) as shop_id,
    cast(null as {{ dbt.type_string() }}) as agent_id,
    cast(null as date) as key_date,
    cast(null as integer) as key_hour,
    cast(null as {{ row_digest_type() }}) as row_digest
where false

{% else %}

select
    previous.key_kind,
    previous.shop_id,
    previous.agent_id,
    previous.key_date,
    previous.key_hour,
    previous.row_digest
from {{ previous_keys }} as previous
inner join {{ ref('int_refresh_scope') }} as scope
    on previous.conversation_id = scope.conversation_id

{% endif %}
