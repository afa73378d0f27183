-- Per landing table: raw rows = clean rows + quarantined rows + collapsed duplicates
-- (metrics.md §8). raw_rows is counted on the landing files themselves, independently of the
-- landing views and of staging: landing.landing_files holds each file's records as the
-- on-run-start hook counted them (CSV: parsed plus rejected lines; Parquet: its metadata).
-- Rejected CSV lines (base_chat__rejected_lines) are quarantined rows of their table.
with landing_files as (
    select
        source_table,
        sum(records) as raw_rows
    from {{ source('landing_audit', 'landing_files') }}
    group by source_table
),

rejected_lines as (
    select
        source_table,
        count(*) as rejected_lines
    from {{ ref('base_chat__rejected_lines') }}
    group by source_table
),

base_counts as (
    {% for t in landing_tables() %}
    select
        '{{ t.table }}' as source_table,
        cast(
            sum(case when quarantine_rule is null and not is_collapsed_duplicate then 1 else 0 end)
            as bigint
        ) as clean_rows,
        cast(sum(case when quarantine_rule is not null then 1 else 0 end) as bigint)
            as quarantined_rows,
        cast(sum(case when is_collapsed_duplicate then 1 else 0 end) as bigint)
            as collapsed_duplicate_rows
    from {{ ref(t.base) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        base_counts.source_table,
        cast(coalesce(landing_files.raw_rows, 0) as bigint) as raw_rows,
        coalesce(base_counts.clean_rows, 0) as clean_rows,
        cast(
            coalesce(base_counts.quarantined_rows, 0) + coalesce(rejected_lines.rejected_lines, 0)
            as bigint
        ) as quarantined_rows,
        coalesce(base_counts.collapsed_duplicate_rows, 0) as collapsed_duplicate_rows
    from base_counts
    left join landing_files
        on base_counts.source_table = landing_files.source_table
    left join rejected_lines
        on base_counts.source_table = rejected_lines.source_table
)

select * from final
