-- Invitations to sign in: an admin names the login (user name, role, person, a lead's teams); the
-- invitee sets a password through a one-time link. Only a SHA-256 of the link's token is kept.
CREATE TABLE invites (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  token_hash  TEXT   NOT NULL UNIQUE,
  username    TEXT   NOT NULL,
  role        TEXT   NOT NULL,        -- admin, lead, member
  person_id   BIGINT REFERENCES people (id),
  lead_of     TEXT   NOT NULL,        -- the teams a lead reads, one name a line ('' for none)
  created_by  TEXT   NOT NULL,
  created_ms  BIGINT NOT NULL,
  expires_ms  BIGINT NOT NULL,
  used_ms     BIGINT,                 -- set when the password was set: a token works once
  revoked_ms  BIGINT
);
CREATE INDEX invites_username ON invites (username);
