-- 0003: the order of case priorities, so a case is only ever raised.
CREATE FUNCTION priority_rank(priority text) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE priority WHEN 'routine' THEN 1 WHEN 'high' THEN 2 WHEN 'urgent' THEN 3 ELSE 0 END
$$;
