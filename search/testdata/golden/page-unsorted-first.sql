SELECT m.id FROM (SELECT id FROM (SELECT id FROM (SELECT * FROM "clinic".search."patient" WHERE dup IS NULL) WHERE param = $2 AND ((code = $1)))) m ORDER BY m.id LIMIT $3 OFFSET $4
-- $1 = "female"
-- $2 = "gender"
-- $3 = 10
-- $4 = 0
