SELECT m.id FROM (SELECT id FROM (SELECT id FROM (SELECT * FROM "clinic".search."patient" WHERE dup IS NULL) WHERE param = $2 AND ((code = $1)))) m WHERE m.id > $3 ORDER BY m.id LIMIT $4 OFFSET $5
-- $1 = "female"
-- $2 = "gender"
-- $3 = "p1"
-- $4 = 10
-- $5 = 0
