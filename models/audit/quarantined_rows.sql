-- Every landing row that broke the contract, with the rule it broke (metrics.md §8): nothing
-- is silently dropped. raw_row is the landing row as JSON text.
{% for t in landing_tables() %}
select
    '{{ t.table }}' as source_table,
    quarantine_rule as rule,
    {{ t.key }} as row_key,
    raw_row,
    _source_file as source_file,
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as detected_at
from {{ ref(t.base) }}
where quarantine_rule is not null
{% if not loop.last %}union all{% endif %}
{% endfor %}
