/** The billing provider's webhook: what the gateway verifies and forwards. */
export const WEBHOOK_SIGNATURE_HEADER = 'x-northstar-signature';
export const WEBHOOK_TOLERANCE_SECONDS = 300;
export const SUBSCRIPTION_UPDATED = 'subscription.updated';

export interface BillingEventBody {
  id: string;
  type: string;
  data: { organizationId: string; plan: string };
}
