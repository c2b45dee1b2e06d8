import type { OrganizationDto, UserDto } from '@northstar/contracts';
import type { OrganizationRow, UserRow } from '../repositories/schema.js';

export function toUserDto(row: UserRow): UserDto {
  return { id: row.id, email: row.email, name: row.name, role: row.role, organizationId: row.organization_id };
}

export function toOrganizationDto(row: OrganizationRow): OrganizationDto {
  return { id: row.id, name: row.name, plan: row.plan };
}
