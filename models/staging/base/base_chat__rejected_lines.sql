-- Every landing CSV line the reader could not parse (landing.rejected_lines, stored by the
-- on-run-start hook): a wrong number of fields, broken quoting, a line over the size limit.
-- Each is a quarantined row of its table (metrics.md §8), keyed `<file name>:<line>`; raw_row
-- keeps the line as landed with its file, line number and the reader's error.
with rejected as (
    select * from {{ source('landing_audit', 'rejected_lines') }}
),

landing_lines as (
    select
        source_table,
        csv_line,
        source_file as file,
        line,
        column_name,
        error_type,
        error_message
    from rejected
),

final as (
    select
        source_table,
        case error_type
            when 'TOO MANY COLUMNS' then 'csv_too_many_columns'
            when 'MISSING COLUMNS' then 'csv_too_few_columns'
            when 'UNQUOTED VALUE' then 'csv_broken_quoting'
            when 'LINE SIZE OVER MAXIMUM' then 'csv_line_too_long'
            else 'csv_line_malformed'
        end as quarantine_rule,
        {{ file_name_of('file') }} || ':' || cast(line as {{ dbt.type_string() }}) as row_key,
        line,
        error_type,
        {{ raw_row_json(landing_row('landing_lines')) }} as raw_row,
        file as _source_file
    from landing_lines
)

select * from final
