package dev.tally.directory;

import java.util.Set;

/**
 * Who is asking: a signed-in user or an API token.
 *
 * @param personId the person whose data a member or agent may touch (null for admins without one)
 * @param teams the teams a lead may read
 * @param ingestOnly true for agent tokens: they may only write events for their own person
 */
public record Principal(String name, Role role, Long personId, Set<String> teams, boolean ingestOnly) {
  public boolean isAdmin() {
    return role == Role.ADMIN && !ingestOnly;
  }
}
