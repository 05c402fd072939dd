-- 0002: the order of delivery statuses, so a late or repeated status callback
-- never moves a message backwards (delivered stays delivered).
CREATE FUNCTION delivery_rank(status text) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE status
        WHEN 'received' THEN 0
        WHEN 'queued' THEN 1
        WHEN 'sending' THEN 2
        WHEN 'sent' THEN 3
        WHEN 'delivered' THEN 4
        WHEN 'undelivered' THEN 4
        WHEN 'failed' THEN 4
    END
$$;
