-- Encounters per class and year since 2016, with their mean length in minutes.
select class_code,
       extract(year from period_start)::int as year,
       count(*)::bigint as encounters,
       avg((extract(epoch from period_end) - extract(epoch from period_start)) / 60)::double precision as mean_minutes
from encounter
where period_start >= timestamptz '2016-01-01 00:00:00+00'
group by 1, 2
