-- Every landing row that broke the contract, with the rule it broke (metrics.md §8): nothing
-- is silently dropped. raw_row is the landing row as JSON text. CSV lines the reader could not
-- parse at all come from base_chat__rejected_lines (rules csv_*, row_key `<file>:<line>`).
with base_rows as (
    {% for t in landing_tables() %}
    select
        '{{ t.table }}' as source_table,
        quarantine_rule as rule,
        {{ t.key }} as row_key,
        raw_row,
        _source_file as source_file
    from {{ ref(t.base) }}
    where quarantine_rule is not null
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

rejected_lines as (
    select
        source_table,
        quarantine_rule as rule,
        row_key,
        raw_row,
        _source_file as source_file
    from {{ ref('base_chat__rejected_lines') }}
),

final as (
    select
        *,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as detected_at
    from (
        select * from base_rows
        union all
        select * from rejected_lines
    ) as quarantined
)

select * from final
