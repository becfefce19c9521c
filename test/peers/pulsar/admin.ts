// A tiny Pulsar admin REST client for tests: just the calls they need, over fetch, with the
// superuser token. Topic names are always full: persistent://tenant/namespace/name.

export class PulsarAdminError extends Error {
  readonly status: number;
  readonly body: string;
  constructor(method: string, path: string, status: number, body: string) {
    super(`Pulsar admin ${method} ${path} answered ${status}: ${body.slice(0, 500)}`);
    this.name = 'PulsarAdminError';
    this.status = status;
    this.body = body;
  }
}

export interface SubscriptionStats {
  msgBacklog: number;
  msgOutCounter: number;
  type?: string;
  consumers: Array<{ consumerName?: string; msgOutCounter?: number }>;
}

/** The fields of GET …/stats that tests look at; the broker sends many more. */
export interface TopicStats {
  msgInCounter: number;
  msgOutCounter: number;
  bytesInCounter: number;
  publishers: Array<{ producerName?: string; msgInCounter?: number }>;
  subscriptions: Record<string, SubscriptionStats>;
}

/** `persistent://t/ns/name` → `/admin/v2/persistent/t/ns/name` (each part URL-encoded). */
export function topicPath(topic: string): string {
  const match = /^(persistent|non-persistent):\/\/([^/]+)\/([^/]+)\/(.+)$/.exec(topic);
  if (match === null) throw new Error(`not a full topic name (persistent://tenant/ns/name): ${topic}`);
  const [, domain = '', tenant = '', ns = '', name = ''] = match;
  return `/admin/v2/${domain}/${[tenant, ns, name].map(encodeURIComponent).join('/')}`;
}

function namespacePath(namespace: string): string {
  const parts = namespace.split('/');
  if (parts.length !== 2 || parts.some((p) => p === ''))
    throw new Error(`not tenant/namespace: ${namespace}`);
  return parts.map(encodeURIComponent).join('/');
}

export interface PulsarAdmin {
  createTenant(tenant: string, adminRoles?: string[]): Promise<void>;
  createNamespace(namespace: string): Promise<void>;
  /** Grants actions ('produce', 'consume', …) on a namespace; matters once authorization is on. */
  grantNamespacePermission(namespace: string, role: string, actions: string[]): Promise<void>;
  /** Grants actions on one topic (POST …/permissions/{role}); the role is URL-encoded, braces and all. */
  grantTopicPermission(topic: string, role: string, actions: string[]): Promise<void>;
  /** Namespace retention (-1/-1: keep every message forever, acknowledged or not). */
  setRetention(namespace: string, minutes: number, megabytes: number): Promise<void>;
  getRetention(namespace: string): Promise<{ retentionTimeInMinutes: number; retentionSizeInMB: number }>;
  createTopic(topic: string): Promise<void>;
  /** Every persistent topic of a namespace, full names (GET /admin/v2/persistent/{tenant}/{ns}). */
  listTopics(namespace: string): Promise<string[]>;
  deleteTopic(topic: string): Promise<void>;
  getStats(topic: string): Promise<TopicStats>;
  listSubscriptions(topic: string): Promise<string[]>;
  /** Creates a durable subscription at the end of the topic, so later messages are retained for it. */
  createSubscription(topic: string, subscription: string): Promise<void>;
  unsubscribe(topic: string, subscription: string): Promise<void>;
}

export function pulsarAdmin(adminUrl: string, token?: string): PulsarAdmin {
  const base = adminUrl.replace(/\/+$/, '');
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    const init: RequestInit = { method, headers, signal: AbortSignal.timeout(30_000) };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const res = await fetch(`${base}${path}`, init);
    const text = await res.text();
    if (!res.ok) throw new PulsarAdminError(method, path, res.status, text);
    return text === '' ? undefined : JSON.parse(text);
  };
  const sub = (topic: string, subscription: string): string =>
    `${topicPath(topic)}/subscription/${encodeURIComponent(subscription)}`;

  return {
    async createTenant(tenant, adminRoles = []) {
      const allowedClusters = (await call('GET', '/admin/v2/clusters')) as string[];
      await call('PUT', `/admin/v2/tenants/${encodeURIComponent(tenant)}`, { adminRoles, allowedClusters });
    },
    async createNamespace(namespace) {
      await call('PUT', `/admin/v2/namespaces/${namespacePath(namespace)}`);
    },
    async grantNamespacePermission(namespace, role, actions) {
      const path = `/admin/v2/namespaces/${namespacePath(namespace)}/permissions/${encodeURIComponent(role)}`;
      await call('POST', path, actions);
    },
    async grantTopicPermission(topic, role, actions) {
      await call('POST', `${topicPath(topic)}/permissions/${encodeURIComponent(role)}`, actions);
    },
    async setRetention(namespace, minutes, megabytes) {
      await call('POST', `/admin/v2/namespaces/${namespacePath(namespace)}/retention`, {
        retentionTimeInMinutes: minutes,
        retentionSizeInMB: megabytes,
      });
    },
    async getRetention(namespace) {
      return (await call('GET', `/admin/v2/namespaces/${namespacePath(namespace)}/retention`)) as {
        retentionTimeInMinutes: number;
        retentionSizeInMB: number;
      };
    },
    async createTopic(topic) {
      await call('PUT', topicPath(topic));
    },
    async listTopics(namespace) {
      return (await call('GET', `/admin/v2/persistent/${namespacePath(namespace)}`)) as string[];
    },
    async deleteTopic(topic) {
      await call('DELETE', `${topicPath(topic)}?force=true`);
    },
    async getStats(topic) {
      return (await call('GET', `${topicPath(topic)}/stats`)) as TopicStats;
    },
    async listSubscriptions(topic) {
      return (await call('GET', `${topicPath(topic)}/subscriptions`)) as string[];
    },
    async createSubscription(topic, subscription) {
      // Without a body the broker places the new cursor at the latest position.
      await call('PUT', sub(topic, subscription));
    },
    async unsubscribe(topic, subscription) {
      await call('DELETE', `${sub(topic, subscription)}?force=true`);
    },
  };
}
