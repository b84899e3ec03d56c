-- Completed immunizations per CVX vaccine code and year since 2016.
select cvx_code, extract(year from occurrence)::int as year, count(*)::bigint as doses
from immunization
where status = 'completed' and occurrence >= timestamptz '2016-01-01 00:00:00+00'
group by 1, 2
