{#- Shared quarantine rules of the staging layer (spec/contract.md, metrics.md §8).
    Each returns `when ... then '<rule>'` branches for a `case` that names the first rule a
    landing row breaks. The rule names are listed and explained in README "When the data is wrong". -#}

{#- A required text key: null or blank breaks `<col>_missing`. -#}
{% macro rule_required(col) -%}
  when nullif(trim(cast({{ col }} as {{ dbt.type_string() }})), '') is null then '{{ col }}_missing'
{%- endmacro %}

{#- A timestamp column with its raw text beside it as `<col>_raw`. -#}
{% macro rule_timestamp(col, required=true) -%}
  {%- if required %}
  when {{ col }}_raw is null then '{{ col }}_missing'
  {%- endif %}
  when {{ col }}_raw is not null and {{ col }} is null then '{{ col }}_unparseable'
  when {{ col }} < cast('{{ var("min_valid_timestamp") }}' as timestamp) then '{{ col }}_out_of_range'
{%- endmacro %}

{#- An upper-case enum. -#}
{% macro rule_enum(col, values, required=true) -%}
  {%- if required %}
  when {{ col }} is null then '{{ col }}_missing'
  {%- endif %}
  when {{ col }} is not null and {{ col }} not in ({% for v in values %}'{{ v }}'{% if not loop.last %}, {% endif %}{% endfor %}) then '{{ col }}_invalid'
{%- endmacro %}

{#- Trimmed text, blank as null. -#}
{% macro clean_text(col) -%}
  nullif(trim(cast({{ col }} as {{ dbt.type_string() }})), '')
{%- endmacro %}

{#- Upper-cased enum text, blank as null. -#}
{% macro clean_enum(col) -%}
  upper(nullif(trim(cast({{ col }} as {{ dbt.type_string() }})), ''))
{%- endmacro %}



{#- The tail of a `base_chat__<table>_landed` model: the rows this build loads, typed, with the
    first row-local rule each breaks (`quarantine_rule`). The landing row is serialised to JSON
    (`raw_row`, the row as landed) for every row (`raw_rows='all'`, the small tables, so that a
    row quarantined later by a rule across rows keeps its landed text) or only for quarantined
    rows (`raw_rows='quarantined'`: messages, where serialising every row would cost more than
    the rest of staging). `_loaded_invocation_id` says which build loaded the row. -#}
{% macro landed_tail(checked_cte, drop_columns=[], raw_rows='all') -%}
, final as (
    {{ landed_columns(checked_cte, drop_columns, raw_rows) }}
)

select * from final
{%- endmacro %}


{#- The select of landed_tail, for models that go on with the rows (shops, agents). -#}
{% macro landed_columns(checked_cte, drop_columns=[], raw_rows='all') -%}
    select
        {{ star_except(['_landing_row'] + drop_columns) }},
        {% if raw_rows == 'all' -%}
        {{ raw_row_json('_landing_row') }} as raw_row,
        {%- else -%}
        case when quarantine_rule is not null then {{ raw_row_json('_landing_row') }} end
            as raw_row,
        {%- endif %}
        {{ this_invocation() }} as _loaded_invocation_id
    from {{ checked_cte }}
{%- endmacro %}


{#- The common tail of a base model (every landed row, with the decisions that need other
    rows): mark clean copies of a key already taken as collapsed duplicates (metrics.md §8).
    Only the keys that occur more than once are ranked: a window over every row would carry
    every column through a sort of the whole table.
    With `conflict_columns`, clean copies of one key that disagree on any of those columns are
    not collapsed: every copy is quarantined as `duplicate_conflict` (no rule says which copy is
    right); copies that agree collapse as usual. Without it (messages), copies collapse to the
    first in `order_by`, as the contract says.
    A row quarantined here or by a rule across rows and tables has no raw_row from its landing
    when its table keeps JSON only for row-local rules (messages): it gets the JSON of its typed
    `raw_row_columns`. -#}
{% macro finish_base_model(checked_cte, key_columns, order_by, conflict_columns=none, raw_row_columns=none) -%}
{%- set keys = key_columns | join(', ') -%}
, duplicate_keys as (
    select {{ keys }}
    from {{ checked_cte }}
    where quarantine_rule is null
    group by {{ keys }}
    having count(*) > 1
),
{%- if conflict_columns %}

conflicting_keys as (
    select {% for k in key_columns %}{{ checked_cte }}.{{ k }}{% if not loop.last %}, {% endif %}{% endfor %}
    from {{ checked_cte }}
    inner join duplicate_keys
        on {% for k in key_columns %}{{ checked_cte }}.{{ k }} = duplicate_keys.{{ k }}{% if not loop.last %} and {% endif %}{% endfor %}
    where {{ checked_cte }}.quarantine_rule is null
    group by {% for k in key_columns %}{{ checked_cte }}.{{ k }}{% if not loop.last %}, {% endif %}{% endfor %}
    having count(distinct {{ surrogate_key(conflict_columns) }}) > 1
),

resolved as {{ inline_cte() }} (
    select
        {{ star_except(['quarantine_rule'], checked_cte) }},
        case
            when {{ checked_cte }}.quarantine_rule is not null then {{ checked_cte }}.quarantine_rule
            when conflicting_keys.{{ key_columns[0] }} is not null then 'duplicate_conflict'
        end as quarantine_rule
    from {{ checked_cte }}
    left join conflicting_keys
        on {% for k in key_columns %}{{ checked_cte }}.{{ k }} = conflicting_keys.{{ k }}{% if not loop.last %} and {% endif %}{% endfor %}
),
{%- set checked_cte = 'resolved' %}
{%- endif %}

with_raw_rows as {{ inline_cte() }} (
    select
        {{ star_except(['raw_row']) }},
        case
            when quarantine_rule is not null
                {%- if raw_row_columns %}
                then coalesce(raw_row, {{ json_object_of(raw_row_columns) }})
                {%- else %}
                then raw_row
                {%- endif %}
        end as raw_row
    from {{ checked_cte }}
),

ranked_duplicates as (
    select
        with_raw_rows.*,
        row_number() over (
            partition by {% for k in key_columns %}with_raw_rows.{{ k }}{% if not loop.last %}, {% endif %}{% endfor %}
            order by {{ order_by }}
        ) > 1 as is_collapsed_duplicate
    from with_raw_rows
    inner join duplicate_keys
        on {% for k in key_columns %}with_raw_rows.{{ k }} = duplicate_keys.{{ k }}{% if not loop.last %} and {% endif %}{% endfor %}
    where with_raw_rows.quarantine_rule is null
),

final as (
    select with_raw_rows.*, false as is_collapsed_duplicate
    from with_raw_rows
    where quarantine_rule is not null
        or not exists (
            select 1 from duplicate_keys
            where {% for k in key_columns %}duplicate_keys.{{ k }} = with_raw_rows.{{ k }}{% if not loop.last %} and {% endif %}{% endfor %}
        )
    union all
    select * from ranked_duplicates
)

select * from final
{%- endmacro %}




{#- The data types of a landing view's columns ({name: TYPE}), known at run time. CSV columns
    are VARCHAR; Parquet keeps its types, so a TIMESTAMP needs no text round trip. -#}
{% macro landing_column_types(relation) -%}
  {%- set types = {} -%}
  {%- if execute -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
      {%- do types.update({column.name | lower: column.dtype | upper}) -%}
    {%- endfor -%}
  {%- endif -%}
  {{ return(types) }}
{%- endmacro %}


{#- A landing timestamp column as `<col>_raw` (null when absent or blank; for the rules) and
    `<col>` (UTC TIMESTAMP, null when unparseable), whatever type the file gave it. -#}
{% macro landing_timestamp(col, types) -%}
  {%- set dtype = types.get(col, 'VARCHAR') -%}
  {%- if dtype.startswith('TIMESTAMP WITH') or dtype == 'TIMESTAMPTZ' -%}
    {{ col }} as {{ col }}_raw,
    {{ utc_timestamp_of_tz(col) }} as {{ col }}
  {%- elif dtype.startswith('TIMESTAMP') or dtype == 'DATE' -%}
    {{ col }} as {{ col }}_raw,
    cast({{ col }} as timestamp) as {{ col }}
  {%- else -%}
    {{ clean_text(col) }} as {{ col }}_raw,
    {{ parse_timestamp_utc(clean_text(col)) }} as {{ col }}
  {%- endif -%}
{%- endmacro %}


{#- An integer landing value: the text must be a whole number (an optional sign, digits, and
    at most a zero fraction such as `4.0`, which a float Parquet column writes); anything else,
    `4.5` included, is null so that staging can quarantine it. A plain cast would round 4.5. -#}
{% macro integer_value(col) -%}
  case
    when {{ regexp_full_match(clean_text(col), '[+-]?[0-9]+(\\.0+)?') }}
        then {{ safe_cast(safe_cast(clean_text(col), 'decimal(38, 1)'), 'integer') }}
  end
{%- endmacro %}
