-- Issue 7: the target password rests only sealed for the agent of the migration's instance (its
-- X25519 public key; see io.pgshuttle.security.SecretSealer), as the JSON of a SealedSecret
-- {recipientKeyId, ephemeralPublicKey, nonce, ciphertext}. The coordinator cannot read it back.

-- A live migration whose password is in clear could not be dispatched again after this change:
-- refuse to upgrade until there is none.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM migrations
               WHERE target_password IS NOT NULL AND state IN ('PENDING', 'RUNNING')) THEN
        RAISE EXCEPTION 'pgshuttle V6 seals target passwords, but live migrations hold one in clear:'
            ' let them finish (or cancel them) with the previous coordinator, then start this one';
    END IF;
END
$$;

ALTER TABLE migrations ADD COLUMN target_password_sealed jsonb;

-- Ended migrations keep no clear password: sweeping their leftovers on the target needs a password
-- the agent can read, so a sweep of these finds none and reports what it could not remove.
ALTER TABLE migrations DROP COLUMN target_password;
