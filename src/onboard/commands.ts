import type { Onboarding } from './grants.ts';

const quoted = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;

/** `persistent://t/ns/name` → `persistent/t/ns/name` for admin REST paths (each part encoded). */
export const restPath = (topic: string): string =>
  topic.replace('://', '/').split('/').map(encodeURIComponent).join('/');

/** The onboarding as an operator types it with pulsar-admin. */
export function pulsarAdminCommands(plan: Onboarding): string[] {
  return [
    ...plan.topics.map((t) => `pulsar-admin topics create ${t}`),
    ...plan.grants.map(
      (g) =>
        `pulsar-admin topics grant-permission --role ${quoted(g.role)} --actions ${g.actions.join(',')} ${g.topic}`,
    ),
  ];
}

/** The same over the admin REST API, as curl with an admin token in $ADMIN_TOKEN (never printed). */
export function restCalls(plan: Onboarding, adminUrl: string): string[] {
  const base = adminUrl.replace(/\/+$/, '');
  const auth = `-H "Authorization: Bearer $ADMIN_TOKEN"`;
  return [
    ...plan.topics.map((t) => `curl -fsS -X PUT ${auth} ${quoted(`${base}/admin/v2/${restPath(t)}`)}`),
    ...plan.grants.map(
      (g) =>
        `curl -fsS -X POST ${auth} -H 'Content-Type: application/json' -d ${quoted(JSON.stringify(g.actions))} ${quoted(
          `${base}/admin/v2/${restPath(g.topic)}/permissions/${encodeURIComponent(g.role)}`,
        )}`,
    ),
  ];
}
