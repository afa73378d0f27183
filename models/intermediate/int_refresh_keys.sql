-- The rows of the daily, hourly and workload marts an incremental refresh rewrites (their
-- pre_hooks delete these keys, then the marts insert what they compute for them). Empty in a
-- full recompute, where every mart is rebuilt. Only rows that changed move a key: of the
-- sessions (and workload rows) of the conversations the refresh recomputed, those whose row
-- now differs from its previous version (int_refresh_previous_keys, compared by a digest of
-- the whole row), or that appeared or vanished; each at its keys as it is now and as it was.
-- A daily row is a function of the session rows at its key, so a key none of whose rows
-- changed keeps its row. Kinds:
--   agent_day   (shop, agent, date): the days of the sessions that changed, as they are now
--               and as they were, by responsible agent;
--   shop_day    (shop, date): the same days per shop (fct_shop_hourly rewrites their hours);
--   shop_daily  (shop, date): the rows of fct_shop_daily to rewrite: those days and the six
--               after each (the 7-day window of the rolling rate and first-response tier
--               reaches them), every calendar date the mart lacks (quiet days up to as_of, a
--               shop's new first date), and every row outside the calendar now;
--   workload    (shop, agent, date): the agent-days of the workload rows (holds, allocations,
--               transfers) that changed, now or before.
{{ config(materialized='table') }}
-- depends_on: {{ ref('int_refresh_previous_keys') }}
-- depends_on: {{ ref('int_refresh_scope') }}
-- depends_on: {{ ref('fct_chat_sessions') }}
-- depends_on: {{ ref('int_refresh_key_rows') }}
-- depends_on: {{ ref('stg_chat__shops') }}

{% set mode = chat_refresh_mode() %}
{% set previous_daily = adapter.get_relation(
    database=target.database, schema='marts', identifier='fct_shop_daily') if execute else none %}

{% if mode == 'full' or previous_daily is none %}

select
    cast(null as {{ dbt.type_string() }}) as key_kind,
    cast(null as {{ dbt.type_string() }}) as shop_id,
    cast(null as {{ dbt.type_string() }}) as agent_id,
    cast(null as date) as key_date
where false

{% else %}

with previous_keys as (
    select * from {{ ref('int_refresh_previous_keys') }}
),

-- the key rows this build wrote (int_refresh_key_rows stamps them): those of the
-- conversations it recomputed
current_keys as (
    select
        key_kind,
        shop_id,
        agent_id,
        key_date,
        key_hour,
        row_digest
    from {{ ref('int_refresh_key_rows') }}
    where built_invocation_id = {{ this_invocation() }}
),

-- the rows that changed: counted +1 as they are now and -1 as they were, a row (its keys and
-- digest) whose count does not cancel is in one version and not the other (as multisets)
changed as (
    select
        key_kind,
        shop_id,
        agent_id,
        key_date,
        key_hour,
        row_digest
    from (
        select *, 1 as side from current_keys
        union all
        select *, -1 as side from previous_keys
    ) as versions
    group by key_kind, shop_id, agent_id, key_date, key_hour, row_digest
    having sum(side) <> 0
),

session_days as (
    select distinct
        shop_id,
        agent_id,
        key_date
    from changed
    where key_kind = 'session'
),

workload as (
    select
        shop_id,
        agent_id,
        key_date
    from changed
    where key_kind = 'hold'
),

shop_days as (
    select distinct
        shop_id,
        key_date
    from session_days
),

-- the calendar of fct_shop_daily: every local date from a shop's first session to as_of
shop_ranges as (
    select
        sessions.shop_id,
        min(sessions.session_date) as first_session_date,
        {{ local_date(as_of_timestamp(), 'shops.timezone') }} as as_of_date
    from {{ ref('fct_chat_sessions') }} as sessions
    inner join {{ ref('stg_chat__shops') }} as shops
        on sessions.shop_id = shops.shop_id
    group by sessions.shop_id, shops.timezone
),

calendar as (
    select
        shop_ranges.shop_id,
        date_range.key_date
    from shop_ranges
    {{ date_range_join('shop_ranges.first_session_date', 'shop_ranges.as_of_date', 'key_date') }}
),

previous_daily as (
    select
        shop_id,
        session_date as key_date
    from {{ previous_daily }}
),

shifted as (
    select
        shop_days.shop_id,
        {{ add_days('shop_days.key_date', 'offsets.days_after') }} as key_date
    from shop_days
    cross join (
        select 0 as days_after union all select 1 union all select 2 union all select 3
        union all select 4 union all select 5 union all select 6
    ) as offsets
),

shop_daily as (
    select
        shop_id,
        key_date
    from shifted
    union
    select
        calendar.shop_id,
        calendar.key_date
    from calendar
    left join previous_daily
        on calendar.shop_id = previous_daily.shop_id
        and calendar.key_date = previous_daily.key_date
    where previous_daily.shop_id is null
    union
    select
        previous_daily.shop_id,
        previous_daily.key_date
    from previous_daily
    left join calendar
        on previous_daily.shop_id = calendar.shop_id
        and previous_daily.key_date = calendar.key_date
    where calendar.shop_id is null
),

final as (
    select
        'agent_day' as key_kind,
        shop_id,
        agent_id,
        key_date
    from session_days
    where agent_id is not null
    union all
    select
        'shop_day' as key_kind,
        shop_id,
        cast(null as {{ dbt.type_string() }}) as agent_id,
        key_date
    from shop_days
    union all
    select
        'shop_daily' as key_kind,
        shop_id,
        cast(null as {{ dbt.type_string() }}) as agent_id,
        key_date
    from shop_daily
    union all
    select distinct
        'workload' as key_kind,
        shop_id,
        agent_id,
        key_date
    from workload
)

select * from final

{% endif %}
