/**
 * Storage for oidc-provider's models, in a Map. The provider's own development adapter does
 * the same but warns on every start; this peer issues only JWT access tokens (RFC 9068),
 * which are self-contained and never stored, so nothing here needs to outlive the process.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';

export function createMemoryAdapter(): (model: string) => Adapter {
  const rows = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  return (model) => {
    const key = (id: string): string => `${model}:${id}`;
    const live = (id: string): AdapterPayload | undefined => {
      const row = rows.get(key(id));
      if (row !== undefined && row.expiresAt <= Date.now()) rows.delete(key(id));
      return row !== undefined && row.expiresAt > Date.now() ? row.payload : undefined;
    };
    const byField = (field: 'uid' | 'userCode', value: string): AdapterPayload | undefined =>
      [...rows.entries()].find(([k, row]) => k.startsWith(`${model}:`) && row.payload[field] === value)?.[1]
        .payload;
    return {
      upsert: async (id, payload, expiresIn) => {
        rows.set(key(id), { payload, expiresAt: Date.now() + expiresIn * 1000 });
      },
      find: async (id) => live(id),
      findByUid: async (uid) => byField('uid', uid),
      findByUserCode: async (userCode) => byField('userCode', userCode),
      consume: async (id) => {
        const payload = live(id);
        if (payload !== undefined) payload.consumed = Math.floor(Date.now() / 1000);
      },
      destroy: async (id) => {
        rows.delete(key(id));
      },
      revokeByGrantId: async (grantId) => {
        for (const [k, row] of rows) if (row.payload.grantId === grantId) rows.delete(k);
      },
    };
  };
}
