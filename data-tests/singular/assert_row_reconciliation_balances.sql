-- metrics.md §8: for every landing table, raw rows = clean + quarantined + collapsed duplicates.
select *
from {{ ref('row_reconciliation') }}
where raw_rows <> (
        coalesce(clean_rows, 0)
        + coalesce(quarantined_rows, 0)
        + coalesce(collapsed_duplicate_rows, 0)
    )
