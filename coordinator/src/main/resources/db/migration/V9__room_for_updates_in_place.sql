-- Room on each page of steps for the updates the fold makes, so that an update, which changes no
-- indexed column, stays on its page as a heap-only tuple: no new entry in the primary key, and the
-- old version pruned from the page without a vacuum. A step's row is written about three times
-- (started, progress, ended) within seconds of its insert; on full pages (the default fillfactor,
-- 100) nearly every such update put a new version on another page, with a new index entry.
-- Applies to pages written from now on; a VACUUM FULL or CLUSTER rewrites the older ones.
ALTER TABLE steps SET (fillfactor = 50);
