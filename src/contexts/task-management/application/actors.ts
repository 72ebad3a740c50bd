/** Names recorded in a task's history for who moved it. */
export const ORCHESTRATION_ACTOR = 'service:orchestration';
export const PRODUCT_MANAGER_AGENT_ACTOR = 'service:product-manager-agent';

export function userActor(userId: string): string {
  return `user:${userId}`;
}
