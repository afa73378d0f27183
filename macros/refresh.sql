{#-
  Refresh in proportion to what arrived (see DECISIONS.md, "Incremental refresh").

  Every build is either a *full recompute* or an *incremental refresh*. The on-run-start hook
  (register_landing_tables) decides which, before any model runs, and records it in
  `landing.refresh_log`; every incremental model asks `chat_refresh_mode()`.

  A build is a full recompute when any of these holds (the reason is logged and recorded):
  - `--full-refresh`, or no previous build completed in this working file;
  - the previous build did not complete (an error, a failed test, a `--select`ed part): its
    state may be half-written, so nothing of it is trusted;
  - `as_of` is earlier than the previous build's;
  - the rules changed: a rule var, a model or a macro of this project differs from the
    previous build's (the fingerprint);
  - a landing file the warehouse has loaded was changed or removed;
  - `shops` or `agents` received a file (every quarantine and capacity depends on them).
  Otherwise it is incremental: staging loads only the files it has not loaded before, and each
  model recomputes only what those rows (or the passing of time) can change.
-#}

{#- The rule vars: a change to any of them changes past results. -#}
{% macro _rule_vars() %}
  {{ return(['response_window_hours', 'session_expiry_hours', 'session_idle_close_hours',
             'conversion_window_days', 'min_valid_timestamp', 'at_risk_waiting_hours',
             'about_to_expire_hours']) }}
{% endmacro %}


{#- A fingerprint of the rules: the rule vars, and the code of every model and macro and the
    seeds of this project (hashed by the project's dbt-duckdb plugin, which can read files). -#}
{% macro rules_fingerprint() %}
  {% set parts = [] %}
  {% for name in _rule_vars() %}{% do parts.append(name ~ '=' ~ var(name)) %}{% endfor %}
  {% do parts.append(run_query('select chat_code_fingerprint()').columns[0].values()[0]) %}
  {{ return(local_md5(parts | join('\n'))) }}
{% endmacro %}


{#- The relations an incremental refresh builds on: when one is missing, recompute all. -#}
{% macro _incremental_relations() %}
  {{ return([
    ('staging', 'base_chat__messages_landed'),
    ('staging', 'base_chat__messages'),
    ('intermediate', 'int_conversation_events_sessionized'),
    ('intermediate', 'int_sessions_with_response_flags'),
    ('intermediate', 'int_agent_workload_days'),
    ('intermediate', 'int_refresh_key_rows'),
    ('marts', 'fct_chat_sessions'),
    ('marts', 'fct_shop_daily'),
  ]) }}
{% endmacro %}


{#- Full or incremental, and why (see the top of this file). `found`: table -> (kind, pattern,
    files) or none, as register_landing_tables found the landing folder. -#}
{% macro decide_refresh_mode(found) %}
  {% set fingerprint = rules_fingerprint() %}
  {% set as_of = run_query('select ' ~ as_of_timestamp()).columns[0].values()[0] %}
  {% set decision = {'mode': 'incremental', 'reason': 'new landing files only',
                     'fingerprint': fingerprint, 'as_of': as_of, 'previous_as_of': none} %}
  {% do run_query(
      'create table if not exists landing.refresh_log (invocation_id varchar, '
      ~ 'started_at timestamp, as_of timestamp, previous_as_of timestamp, mode varchar, '
      ~ 'reason varchar, fingerprint varchar, completed boolean)') %}
  {% set previous = run_query(
      'select as_of, fingerprint, completed from landing.refresh_log '
      ~ 'order by started_at desc limit 1') %}
  {#- information_schema through run_query: the adapter's relation calls would open a
      transaction that the end of the hook rolls back -#}
  {% set registry_columns = run_query(
      "select lower(column_name) from information_schema.columns "
      ~ "where table_schema = 'landing' and table_name = 'landing_files'"
  ).columns[0].values() | list %}
  {% set present = run_query(
      "select table_schema || '.' || table_name from information_schema.tables "
      ~ "where table_catalog = current_database()").columns[0].values() | list %}
  {% set missing = [] %}
  {% for schema, identifier in _incremental_relations() %}
    {% if (schema ~ '.' ~ identifier) not in present %}
      {% do missing.append(schema ~ '.' ~ identifier) %}
    {% endif %}
  {% endfor %}

  {% if flags.FULL_REFRESH %}
    {% do decision.update({'mode': 'full', 'reason': '--full-refresh'}) %}
  {% elif previous.rows | length == 0 %}
    {% do decision.update({'mode': 'full', 'reason': 'first build of this working file'}) %}
  {% elif not previous.rows[0][2] %}
    {% do decision.update({'mode': 'full', 'reason':
        'the previous build did not complete (an error, a failed test or a partial --select)'}) %}
  {% elif 'file_modified_at' not in registry_columns or missing | length > 0 %}
    {% do decision.update({'mode': 'full', 'reason': 'no incremental state to build on ('
        ~ ((missing | join(', ')) or 'landing.landing_files') ~ ' missing)'}) %}
  {% elif as_of < previous.rows[0][0] %}
    {% do decision.update({'mode': 'full', 'reason': 'as_of ' ~ as_of
        ~ ' is earlier than the previous build\'s ' ~ previous.rows[0][0]}) %}
  {% elif previous.rows[0][1] != fingerprint %}
    {% do decision.update({'mode': 'full', 'reason':
        'the rules changed since the previous build (a rule var, model or macro)'}) %}
  {% else %}
    {% set changed = _changed_landing_files(found) %}
    {% if changed is not none %}
      {% do decision.update({'mode': 'full', 'reason': changed}) %}
    {% endif %}
  {% endif %}
  {% if previous.rows | length > 0 %}
    {% do decision.update({'previous_as_of': previous.rows[0][0]}) %}
  {% endif %}
  {{ log("Refresh: " ~ decision.mode ~ " (" ~ decision.reason ~ ")", info=true) }}
  {{ return(decision) }}
{% endmacro %}


{#- Why the landing folder forces a full recompute, or none: a loaded file changed or is gone,
    or a dimension table (shops, agents) has a file it has not loaded. -#}
{% macro _changed_landing_files(found) %}
  {% set selects = [] %}
  {% for table, where in found.items() if where is not none %}
    {% do selects.append("select " ~ _sql_literal(table) ~ " as source_table, filename, size, "
        ~ "cast(last_modified as timestamp) as modified_at from read_blob("
        ~ _sql_list(where[2]) ~ ")") %}
  {% endfor %}
  {% set now = '(' ~ (selects | join(' union all ') if selects else
      "select null as source_table, null as filename, null as size, null as modified_at where false") ~ ')' %}
  {% set gone = run_query(
      "select f.source_file from landing.landing_files as f left join " ~ now ~ " as n "
      ~ "on f.source_file = n.filename where n.filename is null order by 1 limit 3") %}
  {% if gone.rows | length > 0 %}
    {{ return('landing file(s) removed since they were loaded: '
        ~ (gone.columns[0].values() | join(', '))) }}
  {% endif %}
  {% set edited = run_query(
      "select f.source_file from landing.landing_files as f inner join " ~ now ~ " as n "
      ~ "on f.source_file = n.filename where n.size <> f.file_size "
      ~ "or n.modified_at <> f.file_modified_at order by 1 limit 3") %}
  {% if edited.rows | length > 0 %}
    {{ return('landing file(s) changed since they were loaded: '
        ~ (edited.columns[0].values() | join(', '))) }}
  {% endif %}
  {% set dimensions = run_query(
      "select n.filename from " ~ now ~ " as n left join landing.landing_files as f "
      ~ "on f.source_file = n.filename where f.source_file is null "
      ~ "and n.source_table in ('shops', 'agents') order by 1 limit 3") %}
  {% if dimensions.rows | length > 0 %}
    {{ return('a shops or agents file arrived: ' ~ (dimensions.columns[0].values() | join(', '))) }}
  {% endif %}
  {{ return(none) }}
{% endmacro %}


{#- Record this build's decision (completed is set by complete_refresh at its end). -#}
{% macro record_refresh(decision) %}
  {% do run_query(
      "insert into landing.refresh_log values (" ~ _sql_literal(invocation_id) ~ ", "
      ~ "cast(now() at time zone 'UTC' as timestamp), "
      ~ "cast(" ~ _sql_literal(decision.as_of) ~ " as timestamp), "
      ~ ("cast(" ~ _sql_literal(decision.previous_as_of) ~ " as timestamp)"
         if decision.previous_as_of is not none else "null") ~ ", "
      ~ _sql_literal(decision.mode) ~ ", " ~ _sql_literal(decision.reason) ~ ", "
      ~ _sql_literal(decision.fingerprint) ~ ", false)") %}
{% endmacro %}


{#- on-run-end: the build completed when it ran every model of the project and nothing
    failed; only then may the next build refresh incrementally on top of it. -#}
{% macro complete_refresh(results) %}
  {% if not execute or target.type != 'duckdb' %}{{ return('') }}{% endif %}
  {% if flags.WHICH not in ('build', 'run') or flags.EMPTY %}{{ return('') }}{% endif %}
  {% set ran = [] %}
  {% set failed = [] %}
  {% for result in results %}
    {% if result.node.resource_type == 'model' %}{% do ran.append(result.node.unique_id) %}{% endif %}
    {% if result.status in ('error', 'fail', 'runtime error', 'skipped') %}
      {% do failed.append(result.node.unique_id) %}
    {% endif %}
  {% endfor %}
  {% set all_models = [] %}
  {% for node in graph.nodes.values() if node.resource_type == 'model'
      and node.package_name == project_name and node.config.enabled %}
    {% do all_models.append(node.unique_id) %}
  {% endfor %}
  {% set complete = failed | length == 0 and (all_models | reject('in', ran) | list | length) == 0 %}
  {% do run_query("update landing.refresh_log set completed = " ~ complete
      ~ " where invocation_id = " ~ _sql_literal(invocation_id)) %}
  {% if not complete %}
    {{ log("This build did not complete every model: the next build recomputes everything.",
        info=true) }}
  {% endif %}
  {{ return('') }}
{% endmacro %}


{#- 'full' or 'incremental': this build's mode, as the on-run-start hook decided it. -#}
{% macro chat_refresh_mode() %}
  {#- Spark: every build is a full recompute (DECISIONS.md, "Spark") -#}
  {% if not execute or target.type == 'spark' %}{{ return('full') }}{% endif %}
  {#- Asked some 250 times a build (every incremental model and data test): the decision, once
      recorded, is kept in the process's graph dict (one per dbt invocation, shared by every
      node), keyed by this invocation, instead of two queries per call. -#}
  {% set known = graph.get('chat_refresh_modes', {}) %}
  {% if invocation_id in known %}{{ return(known[invocation_id]) }}{% endif %}
  {#- no registry yet (a first build, or SQL rendered outside a build, e.g. by sqlfluff) -#}
  {% set found = run_query("select count(*) from information_schema.tables"
      ~ " where table_schema = 'landing' and table_name = 'refresh_log'") %}
  {% if found.columns[0].values()[0] == 0 %}{{ return('full') }}{% endif %}
  {% set rows = run_query("select mode from landing.refresh_log where invocation_id = "
      ~ _sql_literal(invocation_id)) %}
  {#- not decided yet (before the on-run-start hook records it): nothing is kept -#}
  {% if rows.rows | length == 0 %}{{ return('full') }}{% endif %}
  {% set mode = rows.columns[0].values()[0] %}
  {% do known.update({invocation_id: mode}) %}
  {% do graph.update({'chat_refresh_modes': known}) %}
  {{ return(mode) }}
{% endmacro %}


{#- dbt's should_full_refresh, extended: a full recompute rebuilds every incremental model
    from scratch, exactly as `--full-refresh` does. -#}
{% macro should_full_refresh() %}
  {% set config_full_refresh = config.get('full_refresh') %}
  {% if config_full_refresh is none %}
    {% set config_full_refresh = flags.FULL_REFRESH %}
  {% endif %}
  {{ return(config_full_refresh or chat_refresh_mode() == 'full') }}
{% endmacro %}


{#- The previous build's as_of (null in a full recompute). -#}
{% macro previous_as_of_timestamp() %}
  (select previous_as_of from landing.refresh_log where invocation_id = '{{ invocation_id }}')
{% endmacro %}


{#- The invocation of this build, as a SQL literal. -#}
{% macro this_invocation() %}'{{ invocation_id }}'{% endmacro %}


{#- A filter on the conversations an incremental refresh recomputes (int_refresh_scope):
    `and <column> in (...)`, or nothing in a full recompute. With `only`, a flag column of
    int_refresh_scope, only the conversations it marks: `needs_walk` (their rows changed: the
    walk), `needs_timeline` (those, and those whose sessions' exclusion a holiday version can
    change: fct_conversation_events). -#}
{% macro in_refresh_scope(column='conversation_id', only=none) -%}
  {%- if is_incremental() %}
    and {{ column }} in (
        select scope.conversation_id from {{ ref('int_refresh_scope') }} as scope
        {%- if only %} where scope.{{ only }}{% endif %}
    )
  {%- endif %}
{%- endmacro %}


{#- pre_hook of the models that recompute whole conversations: remove the rows of the
    conversations this refresh recomputes (they are inserted again, or are gone). -#}
{% macro delete_refresh_scope(column='conversation_id', only=none) %}
  {% if execute and is_incremental() %}
    delete from {{ this }}
    where {{ refresh_scope_condition(ref('int_refresh_scope'), column, only) }}
  {% elif target.type == 'spark' %}
    {{ _nothing_to_delete() }}
  {% endif %}
{% endmacro %}


{#- The rows of the conversations this refresh recomputes (of those `only` marks, when given),
    as a condition; `scope` is int_refresh_scope. The publication deletes the same rows from the
    published copy (macros/publish.sql). -#}
{% macro refresh_scope_condition(scope, column='conversation_id', only=none) -%}
    {{ column }} in (
        select conversation_id from {{ scope }}
        {%- if only %} where {{ only }}{% endif %}
    )
{%- endmacro %}


{#- The mart columns of each kind of refresh key (int_refresh_keys): mart column -> key column. -#}
{% macro _refresh_key_columns(kind) %}
  {% set by_kind = {
    'workload': {'shop_id': 'shop_id', 'agent_id': 'agent_id', 'workload_date': 'key_date'},
    'agent_day': {'shop_id': 'shop_id', 'agent_id': 'agent_id', 'session_date': 'key_date'},
    'shop_day': {'shop_id': 'shop_id', 'session_date': 'key_date'},
    'shop_daily': {'shop_id': 'shop_id', 'session_date': 'key_date'},
  } %}
  {{ return(by_kind[kind]) }}
{% endmacro %}


{#- The keys of `kind` this refresh rewrites, named as the mart names them (a select). -#}
{% macro refresh_keys_of(kind) -%}
    select
        {%- for mart_column, key_column in _refresh_key_columns(kind).items() %}
        {{ key_column }} as {{ mart_column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('int_refresh_keys') }}
    where key_kind = '{{ kind }}'
{%- endmacro %}


{#- pre_hook of the marts rewritten by key (daily, hourly, workload): delete the rows of the
    keys of `kind` this refresh rewrites. -#}
{% macro delete_refresh_keys(kind) %}
  {% if execute and is_incremental() %}
    delete from {{ this }} as mart
    where {{ refresh_keys_condition(ref('int_refresh_keys'), kind) }}
  {% elif target.type == 'spark' %}
    {{ _nothing_to_delete() }}
  {% endif %}
{% endmacro %}


{#- The rows (of a relation aliased `mart`) of the keys of `kind` this refresh rewrites, as a
    condition; `keys_relation` is int_refresh_keys. -#}
{% macro refresh_keys_condition(keys_relation, kind) -%}
    exists (
        select 1 from {{ keys_relation }} as keys
        where
            keys.key_kind = '{{ kind }}'
            {%- for mart_column, key_column in _refresh_key_columns(kind).items() %}
            and mart.{{ mart_column }} = keys.{{ key_column }}
            {%- endfor %}
    )
{%- endmacro %}


{#- The pre_hook when nothing is deleted, on Spark: the hook also holds a `-- depends_on:`
    comment, and Spark refuses a statement that is only a comment. -#}
{% macro _nothing_to_delete() %}select 1 as nothing_to_delete{% endmacro %}


{#- The rows of `relation` (fct_chat_sessions for kind 'session', int_agent_workload_days for
    'hold') this build wrote (every row in a full recompute; in a refresh, those of the
    conversations in int_refresh_scope: both models stamp built_invocation_id), as refresh keys
    with a digest of the whole row but the stamp, for int_refresh_key_rows. The stamp is a
    constant per build, so DuckDB skips the row groups of earlier builds by their min/max. -#}
{% macro refresh_key_rows(kind, relation) -%}
    select
        keyed.conversation_id,
        '{{ kind }}' as key_kind,
        keyed.shop_id,
        {%- if kind == 'session' %}
        keyed.responsible_agent_id as agent_id,
        keyed.session_date as key_date,
        keyed.session_hour as key_hour,
        {%- else %}
        keyed.agent_id,
        keyed.workload_date as key_date,
        cast(null as integer) as key_hour,
        {%- endif %}
        {{ row_digest('keyed') }} as row_digest
    from (
        select {{ star_except(['built_invocation_id']) }}
        from {{ relation }}
        where built_invocation_id = {{ this_invocation() }}
    ) as keyed
{%- endmacro %}
