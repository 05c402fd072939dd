-- 0013: the day-1 absence report's reference and expected return.
--
-- Every self-reported episode has a reference the person is told and can
-- quote to HR or OH: six characters of an alphabet that reads unambiguously
-- on a phone (digits 2-9 and capital letters without I, L, O and U:
-- ohcontact.NewReference), unique across the service. The application
-- picks one at random and picks again on a collision. An HR-feed episode
-- gets one when the person reports it too; otherwise it has none.
--
-- expected_return is the day the person expects to be back, as they said
-- it; NULL when they did not know (or, for an HR-feed episode, were never
-- asked).
ALTER TABLE absence_episodes
    ADD COLUMN reference text CHECK (reference ~ '^[2-9A-HJKMNP-TV-Z]{6}$'),
    ADD COLUMN expected_return date CHECK (expected_return >= starts_on),
    ADD CONSTRAINT absence_episodes_reference_key UNIQUE (reference);

-- absence_reference(n) is a reference made from a number, for rows made in
-- SQL rather than by the application: distinct n from 0 to 30^6 - 1 give
-- distinct references (7^10 is prime to 30, so n -> 7^10 n + c mod 30^6 is
-- one to one), which do not look consecutive.
CREATE FUNCTION absence_reference(n bigint) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT string_agg(substr('23456789ABCDEFGHJKMNPQRSTVWXYZ', (m / (30::bigint ^ k)::bigint % 30)::int + 1, 1), '' ORDER BY k DESC)
    FROM (SELECT ((n % 729000000 + 729000000) % 729000000 * 282475249 + 104729) % 729000000 AS m) x, generate_series(0, 5) AS k
$$;

-- Episodes reported before this migration were told "A" and their start
-- date, which was never stored: they get a reference from their id now.
UPDATE absence_episodes SET reference = absence_reference(id) WHERE source = 'self_report';

ALTER TABLE absence_episodes
    ADD CONSTRAINT absence_episodes_self_report_reference CHECK (source <> 'self_report' OR reference IS NOT NULL);
