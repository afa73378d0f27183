{#-
  on-run-end hook: publish the build for readers (spec/contract.md, CHAT_WAREHOUSE_PATH).

  dbt works in a private working file (profiles.yml: `<CHAT_WAREHOUSE_PATH>.work`), never in
  the file readers hold. When a `dbt build` ends with no error and no failed test, this copies
  the reader-facing schemas (marts, audit, reference: never the staging layers or the
  incremental state) with their table and column descriptions into a new file
  `<published>.publishing`, adds `audit.published_build` (what was built, for which as_of,
  when), and swaps it in atomically (`chat_replace_file`, a Python function the project's
  dbt-duckdb plugin registers; chat_warehouse.publish). Readers holding the old file keep it
  until they reconnect. Anything else (`dbt run`, a failed model or test, `--empty`) publishes
  nothing and says so.
-#}
{% macro publish_warehouse(results) %}
  {% if not execute or target.type != 'duckdb' %}{{ return('') }}{% endif %}
  {% set published = env_var('CHAT_WAREHOUSE_PATH', 'warehouse/chat.duckdb') | trim %}
  {% set command = flags.WHICH %}
  {% if command != 'build' %}
    {% if command in ('run', 'test', 'seed', 'snapshot') %}
      {{ log("Not published: `dbt " ~ command ~ "` does not build and test everything; readers of "
          ~ published ~ " keep the previous build. Run `dbt build` to publish.", info=True) }}
    {% endif %}
    {{ return('') }}
  {% endif %}
  {% if flags.EMPTY %}
    {{ log("Not published: an --empty build has no data; readers keep the previous build.", info=True) }}
    {{ return('') }}
  {% endif %}
  {% set failed = [] %}
  {% for result in results %}
    {% if result.status in ('error', 'fail', 'runtime error') %}
      {% do failed.append(result.node.name) %}
    {% endif %}
  {% endfor %}
  {% if failed | length > 0 %}
    {{ log("Not published: " ~ failed | length ~ " node(s) failed (" ~ (failed[:5] | join(', '))
        ~ (', ...' if failed | length > 5 else '') ~ "); readers of " ~ published
        ~ " keep the previous build.", info=True) }}
    {{ return('') }}
  {% endif %}
  {% do _publish_to(published, results) %}
  {{ return('') }}
{% endmacro %}


{% macro _publish_to(published, results) %}
  {% set staging_file = published ~ '.publishing' %}
  {% set schemas = ['marts', 'audit', 'reference'] %}
  {% set relations = run_query(
      "select schema_name, table_name, comment from duckdb_tables() "
      ~ "where database_name = current_database() and schema_name in ('"
      ~ schemas | join("', '") ~ "') "
      ~ "union all select schema_name, view_name, comment from duckdb_views() "
      ~ "where database_name = current_database() and not internal and schema_name in ('"
      ~ schemas | join("', '") ~ "') order by 1, 2") %}
  {% set columns = run_query(
      "select schema_name, table_name, column_name, comment from duckdb_columns() "
      ~ "where database_name = current_database() and comment is not null and schema_name in ('"
      ~ schemas | join("', '") ~ "')") %}
  {% set updates = _incremental_publication(published, staging_file) %}
  {% if updates is none %}
    {% set updates = {} %}
    {% do run_query("select chat_remove_file(" ~ _sql_text(staging_file) ~ ")") %}
    {% do run_query("attach " ~ _sql_text(staging_file) ~ " as chat_publication") %}
    {% set statements = [] %}
    {% for schema in schemas %}
      {% do statements.append("create schema chat_publication." ~ schema) %}
    {% endfor %}
  {% else %}
    {% set statements = ["drop table if exists chat_publication.audit.published_build"] %}
  {% endif %}
  {#- one statement list, run in one call: a run_query per comment costs a round trip each
      (hundreds of columns) -#}
  {% set copied = [] %}
  {% for row in relations.rows %}
    {% set name = row[0] ~ '.' ~ row[1] %}
    {% if row[0] == 'marts' and row[1] in updates %}
      {#- the rows this refresh recomputed: out as the model's pre_hook deleted them from the
          working file, in as the model wrote them there (the same condition) -#}
      {% do statements.append("delete from chat_publication." ~ name ~ " as mart where "
          ~ updates[row[1]]) %}
      {% do statements.append("insert into chat_publication." ~ name ~ " by name select * from "
          ~ name ~ " as mart where " ~ updates[row[1]]) %}
    {% else %}
      {% do copied.append(name) %}
      {% do statements.append("drop table if exists chat_publication." ~ name) %}
      {% do statements.append("create table chat_publication." ~ name ~ " as select * from " ~ name) %}
      {% if row[2] %}
        {% do statements.append("comment on table chat_publication." ~ name ~ " is "
            ~ _sql_text(row[2])) %}
      {% endif %}
    {% endif %}
  {% endfor %}
  {% for row in columns.rows if (row[0] ~ '.' ~ row[1]) in copied %}
    {% do statements.append("comment on column chat_publication." ~ row[0] ~ '.' ~ row[1] ~ '.'
        ~ adapter.quote(row[2]) ~ " is " ~ _sql_text(row[3])) %}
  {% endfor %}
  {% do run_query(statements | join(";\n")) %}
  {% set counts = {'model': 0, 'test': 0, 'warn': 0} %}
  {% for result in results %}
    {% set kind = result.node.resource_type | string %}
    {% if kind in counts %}{% do counts.update({kind: counts[kind] + 1}) %}{% endif %}
    {% if result.status == 'warn' %}{% do counts.update({'warn': counts['warn'] + 1}) %}{% endif %}
  {% endfor %}
  {% do run_query(
      "create table chat_publication.audit.published_build as select "
      ~ as_of_timestamp() ~ " as as_of, "
      ~ "cast(" ~ _sql_text(run_started_at.strftime('%Y-%m-%d %H:%M:%S')) ~ " as timestamp) as build_started_at, "
      ~ "cast(now() at time zone 'UTC' as timestamp) as published_at, "
      ~ _sql_text(invocation_id) ~ " as invocation_id, "
      ~ _sql_text(dbt_version) ~ " as dbt_version, "
      ~ counts['model'] ~ " as models_built, "
      ~ counts['test'] ~ " as tests_passed, "
      ~ counts['warn'] ~ " as tests_warned") %}
  {% do run_query("comment on table chat_publication.audit.published_build is "
      ~ _sql_text("The build this file was published from: its as_of, when it ran and was "
                  ~ "published, the dbt invocation, and how many models and tests it ran.")) %}
  {#- the published copy's deleted rows too are compacted in bulk (macros/compaction.sql):
      its detach is its checkpoint -#}
  {% set compacting = tables_to_compact('chat_publication') | length > 0 %}
  {% if compacting %}
    {{ log("Compacting the published file's deleted rows.", info=True) }}
    {% do run_query(vacuum_setting(true)) %}
  {% endif %}
  {% do run_query("detach chat_publication") %}
  {% if compacting %}{% do run_query(vacuum_setting(false)) %}{% endif %}
  {% do run_query("select chat_replace_file(" ~ _sql_text(staging_file) ~ ", "
      ~ _sql_text(published) ~ ")") %}
  {{ log("Published " ~ relations.rows | length ~ " relations (marts, audit, reference) to "
      ~ published ~ " for readers"
      ~ (" (incremental: " ~ updates | length ~ " marts updated by the rows this refresh "
         ~ "recomputed, the rest copied)" if updates else "") ~ ".", info=True) }}
{% endmacro %}


{#- An incremental publication, when this build is an incremental refresh and the published
    file is the previous build's: copy it to `staging_file`, attach it as chat_publication and
    return, for each incremental mart, the condition on the rows this refresh recomputed (read
    from the mart's pre_hook; a mart with no such pre_hook is copied whole). Otherwise none
    (nothing attached): the caller publishes every relation afresh. -#}
{% macro _incremental_publication(published, staging_file) %}
  {% if chat_refresh_mode() != 'incremental' %}{{ return(none) }}{% endif %}
  {% if run_query("select count(*) from glob(" ~ _sql_text(published) ~ ")"
      ).columns[0].values()[0] == 0 %}{{ return(none) }}{% endif %}
  {% set previous = run_query(
      "select invocation_id from landing.refresh_log where invocation_id <> " ~ this_invocation()
      ~ " order by started_at desc limit 1").columns[0].values() | list %}
  {% if previous | length == 0 %}{{ return(none) }}{% endif %}
  {% do run_query("select chat_copy_file(" ~ _sql_text(published) ~ ", "
      ~ _sql_text(staging_file) ~ ")") %}
  {% do run_query("attach " ~ _sql_text(staging_file) ~ " as chat_publication") %}
  {% set base = run_query(
      "select invocation_id from chat_publication.audit.published_build"
      ~ " where invocation_id = " ~ _sql_text(previous[0])) %}
  {% if base.rows | length == 0 %}
    {{ log("Publishing every relation afresh: " ~ published ~ " is not the previous build's "
        ~ "publication.", info=True) }}
    {% do run_query("detach chat_publication") %}
    {{ return(none) }}
  {% endif %}
  {% set updates = {} %}
  {% for node in graph.nodes.values() if node.resource_type == 'model'
      and node.package_name == project_name and node.schema == 'marts'
      and node.config.materialized == 'incremental' %}
    {% set hooks = node.config['pre-hook'] | map(attribute='sql') | join('\n') %}
    {% set keys = modules.re.search("delete_refresh_keys\\('(\\w+)'\\)", hooks) %}
    {% set flagged = modules.re.search("delete_refresh_scope\\(only='(\\w+)'\\)", hooks) %}
    {% if keys %}
      {% do updates.update({node.name: refresh_keys_condition(
          'intermediate.int_refresh_keys', keys.group(1))}) %}
    {% elif flagged %}
      {% do updates.update({node.name: refresh_scope_condition(
          'intermediate.int_refresh_scope', only=flagged.group(1))}) %}
    {% elif 'delete_refresh_scope()' in hooks %}
      {% do updates.update({node.name: refresh_scope_condition(
          'intermediate.int_refresh_scope')}) %}
    {% endif %}
  {% endfor %}
  {{ return(updates) }}
{% endmacro %}


{% macro _sql_text(value) %}
  {{ return("'" ~ (value | string | replace("'", "''")) ~ "'") }}
{% endmacro %}
