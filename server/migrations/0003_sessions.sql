-- Learning sessions are events of five kinds in the same table; reports load them per team and fold
-- them (`hocso_core::sessions`). The WHERE must be written exactly like this in queries for the
-- planner to use the index (see `store::reports::SESSION_EVENTS`).
CREATE INDEX events_sessions ON events (team_id, device_id, seq)
    WHERE (kind LIKE '{"type":"session\_%' ESCAPE '\' OR kind LIKE '{"type":"attendee\_%' ESCAPE '\'
        OR kind LIKE '{"type":"group\_answered"%' ESCAPE '\');
