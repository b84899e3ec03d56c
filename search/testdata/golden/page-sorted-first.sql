SELECT id, k1, k2, k3 FROM (SELECT m.id, (SELECT max(t_lo) FROM "clinic".search."patient" s WHERE s.id = m.id AND s.param = $3) AS k1, (SELECT min(str) FROM "clinic".search."patient" s WHERE s.id = m.id AND s.param = $4) AS k2, (SELECT max(code) FROM "clinic".search."patient" s WHERE s.id = m.id AND s.param = $5) AS k3 FROM (SELECT id FROM (SELECT id FROM (SELECT * FROM "clinic".search."patient" WHERE dup IS NULL) WHERE param = $2 AND ((code = $1)))) m) k ORDER BY k1 DESC NULLS LAST, k2 ASC NULLS LAST, k3 DESC NULLS LAST, id LIMIT $6 OFFSET $7
-- $1 = "female"
-- $2 = "gender"
-- $3 = "birthdate"
-- $4 = "family"
-- $5 = "gender"
-- $6 = 10
-- $7 = 0
