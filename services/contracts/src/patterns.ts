/**
 * Message patterns of every TCP service. The roadmap ones are the seed article's.
 * `idempotent` marks the calls a client may retry on another endpoint.
 */
export interface MessagePattern {
  readonly cmd: string;
}

export const ROADMAP_PATTERNS = {
  createItem: { cmd: 'createItem' },
  findAllItems: { cmd: 'findAllItems' },
  findOneItem: { cmd: 'findOneItem' },
  updateItem: { cmd: 'updateItem' },
  deleteItem: { cmd: 'deleteItem' },
  ping: { cmd: 'ping' },
} as const satisfies Record<string, MessagePattern>;

export const IDENTITY_PATTERNS = {
  register: { cmd: 'register' },
  login: { cmd: 'login' },
  refresh: { cmd: 'refresh' },
  logout: { cmd: 'logout' },
  me: { cmd: 'me' },
  jwks: { cmd: 'jwks' },
  listMembers: { cmd: 'listMembers' },
  addMember: { cmd: 'addMember' },
  updateMemberRole: { cmd: 'updateMemberRole' },
  removeMember: { cmd: 'removeMember' },
  getOrganization: { cmd: 'getOrganization' },
  ping: { cmd: 'ping' },
} as const satisfies Record<string, MessagePattern>;

/** Fire-and-forget events (`@EventPattern`). */
export const IDENTITY_EVENTS = {
  subscriptionUpdated: { event: 'subscription.updated' },
} as const;

/** Patterns safe to retry: they change nothing. */
export const IDEMPOTENT_PATTERNS: ReadonlySet<string> = new Set([
  ROADMAP_PATTERNS.findAllItems.cmd,
  ROADMAP_PATTERNS.findOneItem.cmd,
  ROADMAP_PATTERNS.ping.cmd,
  IDENTITY_PATTERNS.me.cmd,
  IDENTITY_PATTERNS.jwks.cmd,
  IDENTITY_PATTERNS.listMembers.cmd,
  IDENTITY_PATTERNS.getOrganization.cmd,
  IDENTITY_PATTERNS.ping.cmd,
]);

export function isIdempotent(pattern: MessagePattern): boolean {
  return IDEMPOTENT_PATTERNS.has(pattern.cmd);
}
