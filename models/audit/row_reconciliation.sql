-- Per landing table: raw rows = clean rows + quarantined rows + collapsed duplicates
-- (metrics.md §8). raw_rows is counted on the landing view itself, independently of staging.
{% for t in landing_tables() %}
select
    '{{ t.table }}' as source_table,
    (select count(*) from {{ source('landing', t.table) }}) as raw_rows,
    cast(sum(case when quarantine_rule is null and not is_collapsed_duplicate then 1 else 0 end) as bigint)
        as clean_rows,
    cast(sum(case when quarantine_rule is not null then 1 else 0 end) as bigint) as quarantined_rows,
    cast(sum(case when is_collapsed_duplicate then 1 else 0 end) as bigint) as collapsed_duplicate_rows
from {{ ref(t.base) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
